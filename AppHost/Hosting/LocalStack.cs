using System.Globalization;
using System.Reflection;
using System.Net;
using System.Net.Sockets;
using BenchPlatform.AppHost.Hosting.Control;
using BenchPlatform.AppHost.Hosting.Orchestration;
using BenchPlatform.AppHost.Hosting.Reporting;
using BenchPlatform.AppHost.Hosting.Resources;
using BenchPlatform.AppHost.Hosting.Servers;
using BenchPlatform.AppHost.Publishing;

namespace BenchPlatform.AppHost.Hosting;

/// <summary>
/// The Aspire extension that runs this topology's <see cref="LocalResource"/>s: our orchestrator (servers, projects,
/// autoscaled replicas) as a hosted service of the Aspire app host, reporting every resource and replica to Aspire's
/// dashboard, and the control API the gateway calls. Added once, by the first local resource declared.
/// </summary>
internal static class LocalStack
{
    /// <summary>Registers the orchestrator and the dashboard's loopback defaults, once per builder.</summary>
    public static void Ensure(IDistributedApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(Orchestrator)))
        {
            return;
        }

        var section = builder.Configuration.GetSection(AppHostOptions.SectionName);
        var options = section.Get<AppHostOptions>() ?? new AppHostOptions();
        var args = Environment.GetCommandLineArgs().Skip(1).ToArray();
        builder.Configuration.AddInMemoryCollection(DashboardDefaults(builder.Configuration, options));
        if (!PublishCommand.IsPublish(args) && NicedOrchestrator(options) is { } dcp)
        {
            builder.Configuration.AddInMemoryCollection([new("DcpPublisher:CliPath", dcp)]);
        }

        // Aspire gives DCP's first answer 25 s; DCP at a lower priority on a loaded 2-core machine has taken longer
        // ("Application orchestrator dependency check returned an error: The operation has timed out"). A setting of
        // the user's own (--dcp-dependency-check-timeout, DcpPublisher:DependencyCheckTimeout) wins.
        if (string.IsNullOrEmpty(builder.Configuration["DcpPublisher:DependencyCheckTimeout"]))
        {
            builder.Configuration.AddInMemoryCollection([new("DcpPublisher:DependencyCheckTimeout", "120")]);
        }

        builder.Services.AddLogging(logging => logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        }));
        builder.Services.Configure<AppHostOptions>(section);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new Topology(
            [.. sp.GetRequiredService<DistributedApplicationModel>().Resources.OfType<LocalResource>()]));
        builder.Services.AddSingleton<ResourceReporter>();
        builder.Services.AddSingleton<Orchestrator>();
        builder.Services.AddSingleton<ControlServer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ControlServer>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Orchestrator>());

        builder.Eventing.Subscribe<BeforeStartEvent>(async (e, cancellationToken) =>
        {
            var resources = e.Model.Resources.OfType<LocalResource>().ToList();
            if (PublishCommand.IsPublish(args))
            {
                Environment.Exit(PublishCommand.Run(args, resources, Console.Out, Console.Error));
            }

            try
            {
                Preflight.Check(resources, options);
            }
            catch (Exception ex) when (ex is MissingDependencyException or PortUnavailableException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                Environment.Exit(2);
            }

            // Aspire asks DCP to stop and returns; DCP, detached, then stops the dashboard and exits on its own. The app
            // host waits for that (a while), so that nothing it started is left running when `dotnet run` returns.
            e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(
                () => WaitForOrchestratorExit(TimeSpan.FromSeconds(15)));

            // Our processes start first (the hosted services' own start is then a no-op); the control API before them,
            // as the services are handed its address. DCP and the dashboard start once the stack is ready, or has
            // failed, or after AppHost:DashboardDelay: on a small machine their start-up (several seconds of CPU)
            // would otherwise slow every service's own start (docs/readme-apphost.md, Figures).
            await e.Services.GetRequiredService<ControlServer>().StartAsync(cancellationToken);
            var orchestrator = e.Services.GetRequiredService<Orchestrator>();
            await orchestrator.StartAsync(cancellationToken);
            try
            {
                var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
                using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
                await orchestrator.Ready.WaitAsync(options.DashboardDelay, waiting.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Slow, failed or stopping: the dashboard is where to look next, so Aspire goes on now either way (when
                // stopping, its start is cancelled at once).
            }
        });
    }

    /// <summary>
    /// The dashboard on 127.0.0.1 (<c>AppHost:DashboardPort</c>, 18888 by default) over plain http, its OTLP and resource
    /// service endpoints on free loopback ports, unless the launch profile or environment already set them.
    /// </summary>
    private static Dictionary<string, string?> DashboardDefaults(IConfiguration configuration, AppHostOptions options)
    {
        var defaults = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{options.DashboardPort.ToString(CultureInfo.InvariantCulture)}",
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
            ["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}",
            ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}",
        };
        foreach (var key in defaults.Keys.ToList())
        {
            if (key != "ASPNETCORE_URLS" && !string.IsNullOrEmpty(configuration[key]))
            {
                defaults.Remove(key);
            }
        }

        return defaults;
    }

    /// <summary>
    /// DCP (and the dashboard it starts) at a lower CPU priority (<c>AppHost:OrchestratorNice</c>, 10 by default; 0 leaves
    /// it alone): on a small machine the stack's processes should get the cores first, also while the dashboard ingests
    /// their telemetry under load. A wrapper script in the state folder that execs Aspire's own DCP under <c>nice</c>; null where there is
    /// nothing to wrap (not Linux, no DCP from the NuGet package, a DCP path configured by the user, or no <c>nice</c>).
    /// </summary>
    private static string? NicedOrchestrator(AppHostOptions options)
    {
        var dcp = Assembly.GetEntryAssembly()?.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key.Equals("DcpCliPath", StringComparison.OrdinalIgnoreCase))?.Value;
        if (options.OrchestratorNice <= 0 || !OperatingSystem.IsLinux() || dcp is null || !File.Exists(dcp)
            || Environment.GetEnvironmentVariable("ASPIRE_DCP_PATH") is { Length: > 0 })
        {
            return null;
        }

        // By its full path: the AppHost's PATH may lack it (a trimmed PATH made DCP's start fail with "nice: not found").
        if (FindNice() is not { } nice)
        {
            return null;
        }

        var folder = Path.Combine(Path.GetFullPath(options.StateFolder), "dcp");
        Directory.CreateDirectory(folder);
        var wrapper = Path.Combine(folder, "dcp");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec {Quote(nice)} -n {options.OrchestratorNice.ToString(CultureInfo.InvariantCulture)} {Quote(dcp)} \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return wrapper;
    }

    private static void WaitForOrchestratorExit(TimeSpan timeout)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // DCP's API server and what it started (its controllers, their process monitors).
        var orchestrator = ProcessTree.Monitoring(Environment.ProcessId).SelectMany(pid => ProcessTree.Descendants(pid).Append(pid)).ToList();
        var deadline = DateTime.UtcNow + timeout;
        while (orchestrator.Exists(ProcessTree.IsAlive) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }
    }

    private static string? FindNice() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/bin"])
            .Select(folder => Path.Combine(folder, "nice"))
            .FirstOrDefault(File.Exists);

    private static string Quote(string path) => $"'{path.Replace("'", "'\\''", StringComparison.Ordinal)}'";

    private static string FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
    }
}
