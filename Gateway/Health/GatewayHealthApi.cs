using System.Reflection;
using System.Text.Json;
using BenchPlatform.Gateway.Destinations;
using BenchPlatform.Gateway.Forwarding;
using Yarp.ReverseProxy;

namespace BenchPlatform.Gateway.Health;

/// <summary>
/// <c>GET /health</c> as docs/api.md defines it: Redis, PostgreSQL, ready/desired inference replicas and the sandbox.
/// Database down is unhealthy (503); Redis down, the sandbox out, or fewer ready replicas than desired is
/// degraded (200); inference scaled to zero (0 of 0) is healthy.
/// </summary>
internal static class GatewayHealthApi
{
    private static readonly string Version =
        typeof(GatewayHealthApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder app)
    {
        // Order -1 puts this ahead of the generic /health of MapDefaultEndpoints, which lacks docs/api.md's fields.
        app.MapGet("/health", WriteHealth).WithOrder(-1);
        return app;
    }

    private static async Task WriteHealth(
        HttpContext context, DependencyProbes probes, DestinationRegistry registry, IProxyStateLookup proxyState)
    {
        var redisTask = probes.RedisConnectedAsync(context.RequestAborted);
        var databaseTask = probes.DatabaseConnectedAsync(context.RequestAborted);
        var redis = await redisTask;
        var database = await databaseTask;

        registry.TryGet(GatewayRoutes.Inference, out var inference);
        var ready = InternalApi.ReadyInRotation(proxyState, GatewayRoutes.Inference);
        var desired = inference.Desired;
        var sandbox = InternalApi.ReadyInRotation(proxyState, GatewayRoutes.Sandbox) > 0;

        var status = !database ? "unhealthy" : !redis || !sandbox || ready < desired ? "degraded" : "healthy";
        context.Response.StatusCode = database ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("status", status);
            writer.WriteString("redis", redis ? "connected" : "disconnected");
            writer.WriteString("database", database ? "connected" : "disconnected");
            writer.WriteStartObject("workers");
            writer.WriteNumber("ready", ready);
            writer.WriteNumber("desired", desired);
            writer.WriteEndObject();
            writer.WriteString("sandbox", sandbox ? "ready" : "unavailable");
            writer.WriteString("version", Version);
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
