using BenchPlatform.AppHost.Dashboard.Load;
using BenchPlatform.AppHost.Dashboard.Logs;
using BenchPlatform.AppHost.Dashboard.Resources;
using BenchPlatform.AppHost.Dashboard.Security;
using BenchPlatform.AppHost.Dashboard.Traces;
using BenchPlatform.AppHost.Hosting.Orchestration;
using Microsoft.Extensions.Options;

namespace BenchPlatform.AppHost.Dashboard;

/// <summary>
/// The AppHost's own dashboard on its control host (<c>http://127.0.0.1:18888</c>): resources, console logs,
/// traces (a Zipkin v2 collector at <c>/api/v2/spans</c>), load and scale charts, behind a login token printed at start.
/// </summary>
public static partial class DashboardExtensions
{
    /// <summary>Registers the span store, load timeline, health poller and login token (section <c>Dashboard</c>).</summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DashboardOptions>()
            .Bind(configuration.GetSection(DashboardOptions.SectionName))
            .Validate(o => o.MaxTraces >= 1, "Dashboard:MaxTraces must be 1 or more.")
            .Validate(o => o.MaxTraceBytes >= 1024, "Dashboard:MaxTraceBytes must be 1024 or more.")
            .Validate(o => o.MaxSpansPerTrace >= 1, "Dashboard:MaxSpansPerTrace must be 1 or more.")
            .Validate(o => o.ChartSeconds >= 60, "Dashboard:ChartSeconds must be 60 or more.")
            .Validate(o => o.MaxSpanBatchBytes >= 1024, "Dashboard:MaxSpanBatchBytes must be 1024 or more.")
            .ValidateOnStart();
        services.AddSingleton<DashboardSecurity>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DashboardOptions>>().Value;
            return new SpanStore(options.MaxTraces, options.MaxSpansPerTrace, options.MaxTraceBytes);
        });
        services.AddSingleton(sp => new LoadTimeline(sp.GetRequiredService<IOptions<DashboardOptions>>().Value.ChartSeconds));
        services.AddSingleton(sp => new EntryServices(sp.GetRequiredService<Topology>()));
        services.AddSingleton(sp =>
        {
            var orchestrator = sp.GetRequiredService<Orchestrator>();
            var security = sp.GetRequiredService<DashboardSecurity>();
            return new SecretRedactor(() => [.. orchestrator.SecretValues, security.Token]);
        });
        services.AddSingleton<HealthPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthPoller>());
        services.AddHostedService<LoadSampler>();
        return services;
    }

    /// <summary>
    /// Maps the Zipkin collector, <c>/login</c>, the pages and <c>/api/dashboard/*</c>, and prints the login URL
    /// once the host has started.
    /// </summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapZipkinCollector();
        app.MapLogin();
        app.MapDashboardIcon();

        var pages = app.MapGroup(string.Empty).AddEndpointFilter(DashboardFilters.RequireSignedInAsync);
        pages.MapDashboardAssets();

        var api = app.MapGroup("/api/dashboard").AddEndpointFilter(DashboardFilters.RequireSignedInAsync);
        api.MapResourcesApi();
        api.MapLogsApi();
        api.MapTracesApi();
        api.MapLoadApi();
        api.MapModelsApi();

        var orchestrator = app.Services.GetRequiredService<Orchestrator>();
        var security = app.Services.GetRequiredService<DashboardSecurity>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Dashboard");
        app.Lifetime.ApplicationStarted.Register(() =>
            LogLoginUrl(logger, $"{orchestrator.DashboardUrl}/login?t={security.Token}"));
        return app;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Login to the dashboard at {LoginUrl}")]
    private static partial void LogLoginUrl(ILogger logger, string loginUrl);
}
