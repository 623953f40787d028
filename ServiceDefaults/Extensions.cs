using BenchPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The defaults every BenchPlatform service shares, in the shape of Aspire's ServiceDefaults template:
/// OpenTelemetry, health endpoints, service discovery, HttpClient resilience and the internal token.
/// </summary>
public static class Extensions
{
    /// <summary>Path of the readiness endpoint (all checks).</summary>
    public const string HealthEndpointPath = "/health";

    /// <summary>Path of the liveness endpoint (only checks tagged "live").</summary>
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Adds telemetry, health checks, service discovery and resilient HttpClients.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddInternalToken();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>
    /// Traces, metrics and logs through OpenTelemetry, exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set
    /// (the AppHost hands out Aspire dashboard's; metrics are collected only then).
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var openTelemetry = builder.Services.AddOpenTelemetry();

        // Metrics have one exporter here, OTLP: without an endpoint nothing reads them, and collecting them would
        // still cost every request several measurements (server, Kestrel and HttpClient instruments).
        if (IsOtlpConfigured(builder))
        {
            openTelemetry.WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(PlatformTelemetry.MeterName));
        }

        openTelemetry
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName, PlatformTelemetry.ActivitySourceName)
                .AddAspNetCoreInstrumentation(options =>
                    options.Filter = context => !IsHealthPath(context.Request.Path) && !IsInternalPath(context.Request.Path))
                .AddHttpClientInstrumentation());

        builder.AddOpenTelemetryExporters();
        return builder;
    }

    private static bool IsOtlpConfigured<TBuilder>(TBuilder builder) where TBuilder : IHostApplicationBuilder =>
        !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    // The AppHost polls the gateway's /_internal/load several times a second; tracing it would bury real traffic.
    private static bool IsInternalPath(PathString path) => path.StartsWithSegments("/_internal");

    private static bool IsHealthPath(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath) || path.StartsWithSegments(AlivenessEndpointPath);

    private static void AddOpenTelemetryExporters<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (IsOtlpConfigured(builder))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
    }

    /// <summary>Registers the liveness check every service has; features add their own readiness checks.</summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (readiness: every check, JSON body) and <c>/alive</c> (liveness), both open,
    /// makes every other endpoint require the internal token when one is configured, and gives a
    /// problem+json body to every 4xx that would leave without one (<see cref="ProblemStatusCodes"/>), and keeps any
    /// Unix socket it listens on to its own user (<see cref="UnixSocketPermissions"/>).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.RestrictUnixSockets();
        app.UseProblemStatusCodes();
        app.UseInternalToken();

        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions
        {
            ResponseWriter = HealthResponseWriter.WriteAsync,
        });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("live"),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        });

        return app;
    }
}
