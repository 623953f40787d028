using BenchPlatform.Gateway.Auth;
using BenchPlatform.Gateway.Destinations;
using BenchPlatform.Gateway.Forwarding;
using BenchPlatform.Gateway.Health;
using BenchPlatform.Gateway.Options;
using BenchPlatform.Gateway.Telemetry;
using BenchPlatform.Gateway.Validation;
using BenchPlatform.Protocol.Problems;
using BenchPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace BenchPlatform.Gateway;

/// <summary>Registration and mapping of the gateway's features.</summary>
public static class GatewayExtensions
{
    /// <summary>Adds options, dynamic destinations, dependency probes, auth, rate limits and the YARP proxy.</summary>
    public static TBuilder AddGateway<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(GatewayOptions.SectionName);
        services.AddOptions<GatewayOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        var options = section.Get<GatewayOptions>() ?? new GatewayOptions();

        // The public API has its own auth; the internal token guards only /_internal (InternalApi). Set here, not
        // only in appsettings.json, which is not found when the gateway starts from another working directory.
        services.PostConfigure<InternalTokenOptions>(internalToken => internalToken.Required = false);

        // Hosting opens a logging scope per request (an allocation and an AsyncLocal change on every request) only
        // so that request-start/finish lines carry it; the gateway never logs those, and its own lines name the
        // request themselves.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<UnixSocketConnector>();
        services.AddSingleton<DestinationRegistry>();
        services.AddSingleton<IProxyConfigProvider>(sp => sp.GetRequiredService<DestinationRegistry>().ConfigProvider);
        services.AddSingleton<IAvailableDestinationsPolicy, ReadyDestinationsPolicy>();
        services.AddSingleton<IClusterChangeListener, ClusterChangeSignal>();
        DependencyProbes.AddStoreClients(builder, options.HealthCheckTimeout);
        services.AddSingleton<DependencyProbes>();
        services.AddSingleton<DemandSignal>();
        services.AddSingleton<ConcurrencyLimits>();
        services.AddSingleton<GatewayMetrics>();
        services.AddHttpClient(DemandSignal.ClientName);
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.MaxUploadBodyBytes, options.MaxJsonBodyBytes + 1);
            kestrel.Limits.MaxRequestLineSize = options.KestrelRequestLineBytes;
        });

        if (RateLimits.AnyConfigured(options))
        {
            services.AddGatewayRateLimits(options);
        }

        var proxy = services.AddReverseProxy();

        // Replicas on this machine are reached over their Unix domain sockets when the AppHost names them.
        services.AddSingleton<IForwarderHttpClientFactory, ReplicaHttpClientFactory>();
        proxy.AddTransforms(transforms =>
        {
            var token = transforms.Services.GetRequiredService<IOptions<InternalTokenOptions>>().Value.Token;
            var time = transforms.Services.GetRequiredService<TimeProvider>();
            if (string.IsNullOrEmpty(token))
            {
                transforms.AddRequestHeaderRemove(InternalTokenOptions.HeaderName);
            }
            else
            {
                transforms.AddRequestHeader(InternalTokenOptions.HeaderName, token, append: false);
            }

            transforms.AddRequestTransform(context =>
            {
                var feature = GatewayRequestFeature.Of(context.HttpContext);
                var now = time.GetTimestamp();
                feature.UpstreamStart = now;
                if (feature.Deadline != 0)
                {
                    // Each hop measures the deadline on its own clock: send what is left of it, not the instant.
                    context.ProxyRequest.Headers.Remove(RequestDeadline.HeaderName);
                    context.ProxyRequest.Headers.TryAddWithoutValidation(RequestDeadline.HeaderName, RequestDeadline.Format(time.GetElapsedTime(now, feature.Deadline)));
                }

                return ValueTask.CompletedTask;
            });
            transforms.AddResponseTransform(context =>
            {
                var feature = GatewayRequestFeature.Of(context.HttpContext);
                if (feature.UpstreamStart != 0)
                {
                    feature.UpstreamTicks += time.GetTimestamp() - feature.UpstreamStart;
                    feature.UpstreamStart = 0;
                }

                if (feature.RetryArmed && context.ProxyResponse is { StatusCode: System.Net.HttpStatusCode.BadGateway or System.Net.HttpStatusCode.ServiceUnavailable })
                {
                    context.SuppressResponseBody = true;
                    feature.RetryRequested = true;
                }

                return ValueTask.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>
    /// Adds the gateway's middleware (Server-Timing, API keys, rate limits) and maps <c>/health</c>,
    /// the internal endpoints, the proxy routes and a problem+json 404 for anything else.
    /// </summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        _ = app.Services.GetRequiredService<GatewayMetrics>();

        app.UseMiddleware<ServerTimingMiddleware>();
        app.UseMiddleware<RequestTargetLimitMiddleware>();
        if (options.ApiKeys.Count > 0)
        {
            app.UseMiddleware<ApiKeyMiddleware>();
        }

        if (RateLimits.AnyConfigured(options))
        {
            app.UseRateLimiter();
        }

        app.MapGatewayHealth();
        app.MapInternalApi();
        app.MapReverseProxy(pipeline =>
        {
            // Refusals first: a request over its model's limit is refused before its body is read or validated.
            pipeline.UseMiddleware<AdaptiveConcurrencyMiddleware>();
            pipeline.UseMiddleware<RequestValidationMiddleware>();
            pipeline.UseMiddleware<ClusterAdmissionMiddleware>();
            pipeline.UseMiddleware<ForwarderErrors>();
            pipeline.UseMiddleware<RetryMiddleware>();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        app.MapFallback("{**path}", static context =>
        {
            var request = context.Request;
            if (GatewayRoutes.MethodsFor(request.Path) is { Count: > 0 } allowed)
            {
                var allow = string.Join(", ", allowed);
                context.Response.Headers.Allow = allow;
                return GatewayProblem.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, ProblemTitles.MethodNotAllowed,
                    $"{request.Path} does not accept {request.Method}; use {allow}.");
            }

            return GatewayProblem.WriteAsync(context, StatusCodes.Status404NotFound, ProblemTitles.UnknownRoute,
                $"There is no {request.Method} {request.Path}; see the API reference (docs/api.md in the repository) for the gateway's routes (/v1/…, /v2/…, /health).");
        });
        return app;
    }
}
