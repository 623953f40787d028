using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using BenchPlatform.AppHost.Hosting.Reporting;
using BenchPlatform.AppHost.Hosting.Resources;
using Microsoft.Extensions.Options;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>
/// Runs the topology: PostgreSQL and Redis first, then each project once what it waits for is ready;
/// prints a line per resource as it becomes ready and the entry URLs at the end; on stop, stops every
/// process tree (projects first, then servers) so nothing outlives the AppHost.
/// </summary>
public sealed partial class Orchestrator : IHostedLifecycleService, IDisposable
{
    private const int MaxEvents = 2000;

    // sockaddr_un holds 108 bytes on Linux, the terminating NUL included.
    private const int MaxUnixSocketPathBytes = 107;

    private readonly Topology _topology;
    private readonly ResourceReporter _reporter;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;
    private readonly Dictionary<LocalResource, TaskCompletionSource> _ready = [];
    private readonly Dictionary<LocalProjectResource, ProjectRunner> _runners = [];
    private readonly List<ClusterPublisher> _publishers = [];
    private readonly ConcurrentDictionary<string, ResourceLog> _logs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReplicaEvent> _events = new();
    private readonly CancellationTokenSource _stopping = new();
    private BackingServers? _servers;
    private Task _run = Task.CompletedTask;
    private Task? _stop;
    private PosixSignalRegistration[] _signals = [];
    private RunSecrets? _secrets;
    private volatile bool _stopped;

    /// <summary>Created by the host; nothing starts before <see cref="StartAsync"/>.</summary>
    public Orchestrator(
        Topology topology, IOptions<AppHostOptions> options, IHostApplicationLifetime lifetime, TimeProvider time,
        ILoggerFactory loggers, IEnumerable<IGpuInventory> gpus, ResourceReporter reporter, IConfiguration configuration)
    {
        _reporter = reporter;
        Configuration = configuration;
        _topology = topology;
        _lifetime = lifetime;
        _logger = loggers.CreateLogger("AppHost");
        Options = options.Value;
        Time = time;

        StateFolder = Path.GetFullPath(Options.StateFolder);
        DashboardUrl = configuration["ASPNETCORE_URLS"]?.Split(';')[0] ?? $"http://127.0.0.1:{Options.DashboardPort.ToString(CultureInfo.InvariantCulture)}";
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        Ports = new PortAllocator(Options.Ports);
        Placement = new Placement(gpus.FirstOrDefault() ?? new NvidiaSmiInventory(), Environment.ProcessorCount, Options);
        foreach (var resource in topology.Resources)
        {
            _ready[resource] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (resource is LocalProjectResource project)
            {
                _runners[project] = new ProjectRunner(this, project);
            }
        }

        foreach (var (project, runner) in _runners)
        {
            foreach (var target in project.References.OfType<LocalProjectResource>())
            {
                _publishers.Add(new ClusterPublisher(this, runner, _runners[target], _logger));
            }
        }

        Autoscaler = new Autoscaler(this, _logger);
        if (Autoscaler.HasWork)
        {
            DrainWaiter = Autoscaler.WaitDrainedAsync;
        }

        // A stop (Ctrl+C, SIGTERM) begins at once, even when it comes while Aspire is still starting DCP and the dashboard:
        // then the host's start is cancelled and the hosted services are never stopped, so this is what stops the stack.
        lifetime.ApplicationStopping.Register(() => _ = StopStackAsync());

        // Last resort when the AppHost exits before the stop finished (Aspire's cancelled start ends Main with an
        // exception): wait a little for the graceful stop, then kill what is left; no orphans either way.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => FinishStop();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => FinishStop();
    }

    /// <summary>The orchestrator's settings.</summary>
    public AppHostOptions Options { get; }

    /// <summary>The clock (injected, so tests can drive time).</summary>
    public TimeProvider Time { get; }

    /// <summary>The absolute state folder: data, logs and secrets.</summary>
    public string StateFolder { get; }

    /// <summary>Where replicas that another project routes to put their Unix domain sockets (owner-only, 0700).</summary>
    public string SocketFolder => Path.Combine(StateFolder, "sockets");

    /// <summary>When the app host's process started: "Stack ready in" counts from there, DCP's and the dashboard's start included.</summary>
    private static DateTimeOffset AppHostStarted { get; } = System.Diagnostics.Process.GetCurrentProcess().StartTime;

    /// <summary>Aspire's dashboard address.</summary>
    public string DashboardUrl { get; }

    /// <summary>The control API's address (set once it listens, before anything starts).</summary>
    public string ControlUrl { get; internal set; } = string.Empty;

    /// <summary>The app host's configuration (where Aspire put the dashboard's OTLP endpoint and key).</summary>
    internal IConfiguration Configuration { get; }

    /// <summary>Completes when every resource is ready.</summary>
    public Task Ready => Task.WhenAll(_ready.Values.Select(r => r.Task));

    /// <summary>The replica sets, by project.</summary>
    public IReadOnlyDictionary<LocalProjectResource, ProjectRunner> Runners => _runners;

    /// <summary>Replica lifecycle events, oldest first (bounded).</summary>
    public IReadOnlyCollection<ReplicaEvent> Events => _events;

    internal HttpClient Http { get; }

    internal ResourceReporter Reporter => _reporter;

    internal Placement Placement { get; }

    /// <summary>The ports of this run's servers and replicas.</summary>
    internal PortAllocator Ports { get; }

    internal Autoscaler Autoscaler { get; }

    internal RunSecrets Secrets => _secrets ?? throw new InvalidOperationException("The orchestrator has not started.");

    /// <summary>The internal token of this run (what the control API requires).</summary>
    internal string InternalToken => Secrets.InternalToken;

    internal Func<ProjectRunner, Replica, CancellationToken, Task>? DrainWaiter { get; set; }

    /// <summary>The runner of <paramref name="project"/>.</summary>
    public ProjectRunner Runner(LocalProjectResource project) => _runners[project];

    /// <summary>The runners of the projects that route to <paramref name="runner"/>'s project.</summary>
    public IEnumerable<ProjectRunner> ConsumersOf(ProjectRunner runner) => _topology.ConsumersOf(runner.Resource).Select(p => _runners[p]);

    /// <summary>Whether some project routes to <paramref name="runner"/>'s project (it is a cluster at the gateway).</summary>
    public bool RoutedTo(ProjectRunner runner) => _topology.ConsumersOf(runner.Resource).Any();

    /// <summary>A request is held for <paramref name="runner"/>: start a replica now when none is ready or starting.</summary>
    public void OnDemand(ProjectRunner runner)
    {
        if (runner.Ready == 0 && runner.Desired == 0 && runner.Max > 0 && !_stopping.IsCancellationRequested)
        {
            var to = Math.Clamp(1, runner.Min, runner.Max);
            LogDemand(_logger, runner.Resource.Name, to);
            _ = runner.ScaleToAsync(to, _stopping.Token);
        }
    }

    /// <summary>
    /// An operator's new bounds: moves the replica count into them at once (max 0 drains and stops every replica,
    /// no scale-down window) and returns once the gateway knows, so a request sent next sees the new bounds.
    /// </summary>
    public async Task SetBoundsAsync(ProjectRunner runner, int min, int max, CancellationToken cancellationToken)
    {
        LogBounds(_logger, runner.Resource.Name, min, max, runner.Desired, Math.Clamp(runner.Desired, min, max));
        await runner.SetBoundsAsync(min, max, cancellationToken);
        foreach (var publisher in _publishers.Where(p => p.Cluster == runner))
        {
            await publisher.FlushAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
    }

    /// <summary>Whether <paramref name="resource"/> is ready.</summary>
    public bool IsReady(LocalResource resource) => _ready[resource].Task.IsCompletedSuccessfully;

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Stops the stack before the host stops its web server, so services can still flush telemetry
    /// to the AppHost while they shut down.
    /// </summary>
    public Task StoppingAsync(CancellationToken cancellationToken) => StopStackAsync();

    internal ResourceLog CreateLog(string name) =>
        _logs.GetOrAdd(name, n =>
        {
            var log = new ResourceLog(n, Path.Combine(StateFolder, "logs", n + ".log"), Options.LogLines, Options.LogFileBytes, Time);
            _reporter.Attach(log, n);
            return log;
        });

    internal void RecordEvent(Replica replica, string @event, string? detail)
    {
        _reporter.Replica(replica.Runner.Resource, replica);
        var entry = new ReplicaEvent(Time.GetUtcNow(), replica.Id, @event, detail);
        _events.Enqueue(entry);
        while (_events.Count > MaxEvents && _events.TryDequeue(out _))
        {
        }

        LogReplicaEvent(_logger, replica.Id, @event, detail ?? string.Empty);
    }

    internal void ReportFailure(Replica replica, string reason) =>
        LogReplicaFailed(_logger, replica.Id, reason, replica.Log.Tail(10));

    /// <summary>
    /// The socket a replica of <paramref name="runner"/> listens on besides its port: only projects another project routes
    /// to get one (the gateway's hop to them), none on Windows, and none when the path exceeds what a socket address holds.
    /// </summary>
    internal string? UnixSocketFor(ProjectRunner runner, string replicaId)
    {
        if (OperatingSystem.IsWindows() || !_publishers.Exists(publisher => publisher.Cluster == runner))
        {
            return null;
        }

        var path = Path.Combine(SocketFolder, replicaId + ".sock");
        return System.Text.Encoding.UTF8.GetByteCount(path) <= MaxUnixSocketPathBytes ? path : null;
    }

    internal async Task WaitDrainedAsync(ProjectRunner runner, Replica replica)
    {
        // The gateway must have taken it out of rotation before anything else.
        foreach (var publisher in _publishers.Where(p => p.Cluster == runner))
        {
            await publisher.FlushAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }

        if (DrainWaiter is { } wait)
        {
            await wait(runner, replica, _stopping.Token);
        }
    }

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "{Resource}: scale 0 -> {To} (demand: a request is held)")]
    private static partial void LogDemand(ILogger logger, string resource, int to);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Resource}: bounds set to min {Min}, max {Max} (operator); desired {From} -> {To}")]
    private static partial void LogBounds(ILogger logger, string resource, int min, int max, int from, int to);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "{Replica}: {Event} {Detail}")]
    private static partial void LogReplicaEvent(ILogger logger, string replica, string @event, string detail);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "{Replica} {Reason}; its last output:\n{Tail}")]
    private static partial void LogReplicaFailed(ILogger logger, string replica, string reason, string tail);
}
