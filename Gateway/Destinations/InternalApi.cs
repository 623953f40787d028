using System.Text.Json;
using BenchPlatform.Gateway.Forwarding;
using BenchPlatform.Protocol.Problems;
using BenchPlatform.ServiceDefaults;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;

namespace BenchPlatform.Gateway.Destinations;

/// <summary>
/// The endpoints the AppHost calls (docs/internals.md): replica sets in, load signal out. They require
/// <c>X-Internal-Token</c>; with no token configured they refuse every call.
/// </summary>
internal static class InternalApi
{
    public static IEndpointRouteBuilder MapInternalApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/_internal");
        group.AddEndpointFilter(RequireInternalToken);
        group.MapPut("/clusters/{cluster}/destinations", PutDestinations);
        group.MapGet("/load", GetLoad);
        return app;
    }

    private static async ValueTask<object?> RequireInternalToken(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var token = context.RequestServices.GetRequiredService<IOptions<InternalTokenOptions>>().Value.Token;
        if (string.IsNullOrEmpty(token)
            || !InternalToken.Matches(context.Request.Headers[InternalTokenOptions.HeaderName], System.Text.Encoding.UTF8.GetBytes(token)))
        {
            await GatewayProblem.WriteAsync(context, StatusCodes.Status401Unauthorized, ProblemTitles.InternalTokenRequired,
                $"The /_internal endpoints are for the AppHost; send the per-run token in {InternalTokenOptions.HeaderName}.");
            return Results.Empty;
        }

        return await next(invocation);
    }

    private static async Task PutDestinations(HttpContext context, string cluster, DestinationRegistry registry)
    {
        if (!registry.TryGet(cluster, out var entry))
        {
            await GatewayProblem.WriteAsync(context, StatusCodes.Status404NotFound, ProblemTitles.UnknownCluster,
                $"There is no cluster '{cluster}'; use one of: {string.Join(", ", registry.Clusters.Select(c => c.Name))}.");
            return;
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            await GatewayProblem.WriteAsync(context, StatusCodes.Status400BadRequest, ProblemTitles.MalformedJson,
                $"The body is not valid JSON ({ex.Message}); send {{\"desired\":n,\"destinations\":[…]}}.", "body");
            return;
        }

        using (document)
        {
            var (parsed, desired, error, field) = ParseReplicaSet(document.RootElement);
            var (max, maxError) = ParseMax(document.RootElement);
            error ??= maxError;
            field ??= maxError is null ? null : "max";
            if (error is not null)
            {
                await GatewayProblem.WriteAsync(context, StatusCodes.Status400BadRequest, ProblemTitles.InvalidReplicaSet, error, field);
                return;
            }

            registry.Replace(entry, desired, max, parsed!);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>The optional operator bound: absent or null when unknown, 0 when the cluster is scaled to zero on purpose.</summary>
    private static (int? Max, string? Error) ParseMax(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("max", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var max) && max >= 0 ? (max, null) : (null, "'max', when given, must be an integer ≥ 0.");
    }

    private static (List<ReplicaDestination>? Destinations, int Desired, string? Error, string? Field) ParseReplicaSet(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, 0, "The body must be a JSON object {\"desired\":n,\"destinations\":[…]}.", "body");
        }

        if (!root.TryGetProperty("desired", out var desiredElement) || !desiredElement.TryGetInt32(out var desired) || desired < 0)
        {
            return (null, 0, "'desired' must be an integer ≥ 0.", "desired");
        }

        if (!root.TryGetProperty("destinations", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return (null, 0, "'destinations' must be an array of {\"id\",\"address\",\"state\"} (and optionally \"unix_socket\").", "destinations");
        }

        var destinations = new List<ReplicaDestination>(list.GetArrayLength());
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var prefix = $"destinations[{index}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                return (null, 0, $"'{prefix}' must be an object {{\"id\",\"address\",\"state\"}}.", prefix);
            }

            var id = item.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
            if (string.IsNullOrWhiteSpace(id) || !ids.Add(id))
            {
                return (null, 0, $"'{prefix}.id' must be a non-empty string, unique in the set.", $"{prefix}.id");
            }

            var address = item.TryGetProperty("address", out var addressElement) && addressElement.ValueKind == JsonValueKind.String
                ? addressElement.GetString()
                : null;
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                return (null, 0, $"'{prefix}.address' must be an absolute http(s) URL such as http://127.0.0.1:5001/.", $"{prefix}.address");
            }

            var stateText = item.TryGetProperty("state", out var stateElement) && stateElement.ValueKind == JsonValueKind.String
                ? stateElement.GetString()
                : null;
            DestinationLifecycle state;
            switch (stateText)
            {
                case "starting": state = DestinationLifecycle.Starting; break;
                case "ready": state = DestinationLifecycle.Ready; break;
                case "draining": state = DestinationLifecycle.Draining; break;
                default:
                    return (null, 0, $"'{prefix}.state' must be one of starting, ready, draining.", $"{prefix}.state");
            }

            string? socket = null;
            if (item.TryGetProperty("unix_socket", out var socketElement) && socketElement.ValueKind != JsonValueKind.Null)
            {
                socket = socketElement.ValueKind == JsonValueKind.String ? socketElement.GetString() : null;
                if (!IsUnixSocketPath(socket))
                {
                    return (null, 0, $"'{prefix}.unix_socket', when given, must be an absolute path of at most {UnixSocketConnector.MaxPathBytes} bytes, such as /var/lib/benchplatform/sockets/inference-0.sock.",
                        $"{prefix}.unix_socket");
                }
            }

            destinations.Add(new ReplicaDestination(id, address!, state, socket));
            index++;
        }

        return (destinations, desired, null, null);
    }

    private static bool IsUnixSocketPath(string? path) =>
        !string.IsNullOrEmpty(path) && path[0] == '/' && path.IndexOf('\0', StringComparison.Ordinal) < 0
        && System.Text.Encoding.UTF8.GetByteCount(path) <= UnixSocketConnector.MaxPathBytes;

    private static async Task GetLoad(HttpContext context, DestinationRegistry registry, IProxyStateLookup proxyState)
    {
        context.Response.ContentType = "application/json";
        await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("clusters");
            foreach (var cluster in registry.Clusters)
            {
                writer.WriteStartObject(cluster.Name);
                writer.WriteNumber("inflight", cluster.Inflight);
                writer.WriteNumber("waiting", cluster.Waiting);
                writer.WriteNumber("ready", ReadyInRotation(proxyState, cluster.Name));
                writer.WriteNumber("desired", cluster.Desired);
                writer.WriteStartObject("destinations");
                if (proxyState.TryGetCluster(cluster.Name, out var state))
                {
                    foreach (var destination in state.Destinations.Values)
                    {
                        writer.WriteStartObject(destination.DestinationId);
                        writer.WriteNumber("inflight", destination.ConcurrentRequestCount);
                        writer.WriteEndObject();
                    }
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>Destinations YARP would send a request to now: ready per the AppHost and not unhealthy.</summary>
    public static int ReadyInRotation(IProxyStateLookup proxyState, string cluster) =>
        proxyState.TryGetCluster(cluster, out var state) ? state.DestinationsState.AvailableDestinations.Count : 0;
}
