using BenchPlatform.AppHost.Dashboard;
using BenchPlatform.AppHost.Hosting.Control;
using BenchPlatform.AppHost.Hosting.Orchestration;
using BenchPlatform.AppHost.Hosting.Resources;
using BenchPlatform.AppHost.Publishing;

namespace BenchPlatform.AppHost.Hosting;

/// <summary>Declares the topology (Aspire's <c>IDistributedApplicationBuilder</c>, kept small).</summary>
public sealed class DistributedApplicationBuilder
{
    private readonly WebApplicationBuilder _host;
    private readonly List<Resource> _resources = [];
    private readonly string[] _args;

    internal DistributedApplicationBuilder(string[] args)
    {
        _args = args;
        // `publish`'s own options are not AppHost configuration (and `-o` would not parse as such).
        _host = WebApplication.CreateBuilder(new WebApplicationOptions { Args = PublishCommand.IsPublish(args) ? [] : args });
        _host.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss.fff ";
        });
        _host.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        _host.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
    }

    /// <summary>The AppHost's configuration (appsettings, environment, command line).</summary>
    public IConfiguration Configuration => _host.Configuration;

    /// <summary>The AppHost's own services (the dashboard adds its own here).</summary>
    public IServiceCollection Services => _host.Services;

    /// <summary>The declared resources, in declaration order.</summary>
    public IReadOnlyList<Resource> Resources => _resources;

    /// <summary>Adds a resource and returns its builder.</summary>
    public IResourceBuilder<T> AddResource<T>(T resource) where T : Resource
    {
        if (_resources.Any(r => r.Name == resource.Name))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' is already declared.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(this, resource);
    }

    /// <summary>A Redis-protocol server (<c>redis-server</c>, or Garnet when that is not installed).</summary>
    public IResourceBuilder<RedisResource> AddRedis(string name) => AddResource(new RedisResource(name));

    /// <summary>A PostgreSQL server; add databases with <c>AddDatabase</c>.</summary>
    public IResourceBuilder<PostgresServerResource> AddPostgres(string name) => AddResource(new PostgresServerResource(name));

    /// <summary>A project of this solution, run from its build output.</summary>
    public IResourceBuilder<ProjectResource> AddProject<TProject>(string name) where TProject : IProjectMetadata, new() =>
        AddResource(new ProjectResource(name, new TProject()));

    /// <summary>Builds the AppHost: the orchestrator and its control API.</summary>
    public DistributedApplication Build()
    {
        var section = _host.Configuration.GetSection(AppHostOptions.SectionName);
        var options = section.Get<AppHostOptions>() ?? new AppHostOptions();
        _host.Services.Configure<AppHostOptions>(section);
        _host.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        _host.WebHost.UseUrls($"http://127.0.0.1:{options.DashboardPort}");
        _host.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = StatusCodeProblems.AddDetail);
        _host.Services.AddSingleton(TimeProvider.System);
        _host.Services.AddSingleton(new Topology(_resources));
        _host.Services.AddSingleton<Orchestrator>();
        _host.Services.AddHostedService(sp => sp.GetRequiredService<Orchestrator>());
        _host.Services.AddDashboard(_host.Configuration);

        var app = _host.Build();
        app.UseStatusCodePages();
        app.MapControlApi();
        app.MapDashboard();
        return new DistributedApplication(app, _resources, options, _args);
    }
}
