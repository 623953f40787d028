using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using BenchPlatform.AppHost.Hosting.Resources;
using BenchPlatform.AppHost.Hosting.Servers;
using BenchPlatform.AppHost.Hosting.Reporting;
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
    private readonly HashSet<int> _ports = [];
    private readonly CancellationTokenSource _stopping = new();
    private LocalPostgres? _postgres;
    private LocalRedis? _redis;
    private Task _run = Task.CompletedTask;
    private Task? _stop;
    private PosixSignalRegistration[] _signals = [];
    private RunSecrets? _secrets;
    private bool _postgresPasswordExisted;
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
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_stopping)
        {
            if (_secrets is not null || _stop is not null)
            {
                // Started already (from Aspire's BeforeStartEvent), or stopped before it could start.
                return Task.CompletedTask;
            }

            // Ctrl+C and SIGTERM stop the stack from the first process on: Aspire's host listens for them only once it has
            // started, after DCP and the dashboard, and until then the runtime would end the process and orphan ours.
            _signals = [PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal), PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal)];
            Directory.CreateDirectory(StateFolder);
            _postgresPasswordExisted = File.Exists(Path.Combine(StateFolder, "secrets", "postgres-password"));
            _secrets = RunSecrets.Load(StateFolder);
        }

        if (!OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess)
        {
            // PostgreSQL runs as its own user and must pass through the state folder to its data folder.
            File.SetUnixFileMode(StateFolder, File.GetUnixFileMode(StateFolder) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
        }

        if (!OperatingSystem.IsWindows())
        {
            // Only the AppHost's user may reach the replicas' sockets: the folder is 0700 whoever made it first.
            Directory.CreateDirectory(SocketFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(SocketFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Ports and passwords first, so every connection string is known before anything starts.
        foreach (var redis in _topology.Resources.OfType<RedisResource>())
        {
            redis.Port = AllocatePort(redis, 0);
            redis.Password = _secrets.RedisPassword;
        }

        foreach (var postgres in _topology.Resources.OfType<PostgresServerResource>())
        {
            postgres.Port = AllocatePort(postgres, 0);
            postgres.Password = _secrets.PostgresPassword;
        }

        WriteRunFile();
        foreach (var publisher in _publishers)
        {
            _ = publisher.RunAsync(_stopping.Token);
        }

        _run = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

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

    /// <summary>Stops every process of the stack, once (later calls return the same task).</summary>
    private Task StopStackAsync()
    {
        lock (_stopping)
        {
            return _stop ??= Task.Run(StopCoreAsync);
        }
    }

    private void OnStopSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _lifetime.StopApplication();
    }

    private void FinishStop()
    {
        try
        {
            StopStackAsync().Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // Whatever the graceful stop could not do, the kill below does.
        }

        KillEverything();
    }

    private async Task StopCoreAsync()
    {
        LogStopping(_logger);
        await _stopping.CancelAsync();
        await _run;
        await Task.WhenAll(_runners.Values.Select(r => r.StopAsync()));
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        File.Delete(Path.Combine(StateFolder, "run.json"));
        foreach (var resource in _topology.Resources)
        {
            _reporter.Stopped(resource);
        }

        _stopped = true;
        LogStopped(_logger);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }

        _stopping.Dispose();
        Http.Dispose();
        foreach (var log in _logs.Values)
        {
            log.Dispose();
        }
    }

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

    internal int AllocatePort(LocalResource resource, int index)
    {
        lock (_ports)
        {
            if (index == 0 && (Options.Ports.TryGetValue(resource.Name, out var configured) ? configured : (resource as LocalProjectResource)?.HttpPort) is int fixedPort)
            {
                _ports.Add(fixedPort);
                return fixedPort;
            }

            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (_ports.Add(port))
                {
                    return port;
                }
            }
        }
    }

    internal void ReleasePort(int port)
    {
        lock (_ports)
        {
            _ports.Remove(port);
        }
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

    private async Task RunAsync()
    {
        try
        {
            await Task.WhenAll(_topology.Resources.Select(StartResourceAsync));
            foreach (var runner in _runners.Values.Where(r => r.Resource.HttpPort is not null || Options.Ports.ContainsKey(r.Resource.Name)))
            {
                LogEntryPoint(_logger, runner.Resource.Name, runner.Replicas[0].Address.TrimEnd('/'));
            }

            LogStackReady(_logger, (Time.GetUtcNow() - AppHostStarted).TotalSeconds, DashboardUrl);
            if (Autoscaler.HasWork)
            {
                await Autoscaler.RunAsync(_stopping.Token);
            }
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            // Stopped (Ctrl+C, SIGTERM) while starting: whatever was half-started is stopped next.
        }
        catch (Exception ex)
        {
            LogStartFailed(_logger, ex.Message);
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
        }
    }

    private async Task StartResourceAsync(LocalResource resource)
    {
        try
        {
            await StartResourceCoreAsync(resource);
        }
        catch (Exception ex)
        {
            // What waits for this resource fails with the same error instead of waiting forever.
            _ready[resource].TrySetException(ex);
            _reporter.Failed(resource, ex.Message);
            throw;
        }
    }

    private async Task StartResourceCoreAsync(LocalResource resource)
    {
        var token = _stopping.Token;
        await Task.WhenAll(resource.WaitsFor.Select(d => _ready[d].Task)).WaitAsync(token);
        _reporter.Starting(resource);
        var started = Time.GetTimestamp();
        string detail;
        switch (resource)
        {
            case PostgresServerResource postgres:
                var pgLog = CreateLog(postgres.Name);
                var dataFolder = Path.Combine(StateFolder, postgres.Name, "data");
                if (File.Exists(Path.Combine(dataFolder, "PG_VERSION")) && !_postgresPasswordExisted)
                {
                    throw new InvalidOperationException($"{dataFolder} exists but its password is gone; delete {StateFolder} to start afresh.");
                }

                _postgres = await LocalPostgres.StartAsync(
                    dataFolder, postgres.Port, postgres.Password, durable: true, pgLog.Append,
                    binFolder: LocalPostgres.FindBinFolder(Options.PostgresSearchFolders), cancellationToken: token);
                detail = $"postgres on 127.0.0.1:{postgres.Port}";
                break;
            case PostgresDatabaseResource database:
                await _ready[database.Server].Task.WaitAsync(token);
                await _postgres!.EnsureDatabaseAsync(database.DatabaseName, token);
                detail = $"database '{database.DatabaseName}'";
                break;
            case RedisResource redis:
                _redis = await LocalRedis.StartAsync(redis.Port, redis.Password, CreateLog(redis.Name).Append, cancellationToken: token);
                detail = $"{_redis.Kind} on 127.0.0.1:{redis.Port}";
                break;
            case LocalProjectResource project:
                var runner = _runners[project];
                await runner.StartAsync(token);
                detail = runner.Replicas.Count == 1
                    ? runner.Replicas[0].Address.TrimEnd('/')
                    : $"{runner.Replicas.Count} replicas";
                break;
            default:
                throw new InvalidOperationException($"No way to run {resource.GetType().Name} '{resource.Name}'.");
        }

        _ready[resource].TrySetResult();
        _reporter.Running(resource, detail, detail.StartsWith("http", StringComparison.Ordinal) ? detail : null);
        LogResourceReady(_logger, resource.Name, detail, Time.GetElapsedTime(started).TotalSeconds);
    }

    private void WriteRunFile()
    {
        var entry = _topology.Projects
            .Select(p => Options.Ports.TryGetValue(p.Name, out var port) ? port : p.HttpPort)
            .FirstOrDefault(p => p is not null);
        var run = new Dictionary<string, object?>
        {
            ["pid"] = Environment.ProcessId,
            ["gateway"] = entry is null ? null : $"http://127.0.0.1:{entry.Value.ToString(CultureInfo.InvariantCulture)}",
            ["dashboard"] = DashboardUrl,
            ["control"] = ControlUrl,
            ["internal_token"] = Secrets.InternalToken,
        };
        RunSecrets.WritePrivate(Path.Combine(StateFolder, "run.json"), JsonSerializer.Serialize(run));
    }

    private void KillEverything()
    {
        if (_stopped)
        {
            return;
        }

        foreach (var runner in _runners.Values)
        {
            runner.KillWithoutRestart();
        }

        _redis?.Process.KillTree();
        if (_postgres is { Process.HasExited: false } postgres)
        {
            // A killed postmaster leaves its shared memory to recover; a fast shutdown is still the better end.
            ProcessSignals.Send(postgres.Process.Id, ProcessSignals.SigInt);
            if (!postgres.Process.WaitForExitAsync().Wait(TimeSpan.FromSeconds(5)))
            {
                postgres.Process.KillTree();
            }
        }
    }

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "{Resource}: scale 0 -> {To} (demand: a request is held)")]
    private static partial void LogDemand(ILogger logger, string resource, int to);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Resource}: bounds set to min {Min}, max {Max} (operator); desired {From} -> {To}")]
    private static partial void LogBounds(ILogger logger, string resource, int min, int max, int from, int to);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Resource} ready: {Detail} ({Seconds:0.00} s)")]
    private static partial void LogResourceReady(ILogger logger, string resource, string detail, double seconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Resource}: {Url}")]
    private static partial void LogEntryPoint(ILogger logger, string resource, string url);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Stack ready in {Seconds:0.00} s. Dashboard: {DashboardUrl}")]
    private static partial void LogStackReady(ILogger logger, double seconds, string dashboardUrl);

    [LoggerMessage(EventId = 4, Level = LogLevel.Critical, Message = "The stack could not start: {Error}")]
    private static partial void LogStartFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "{Replica}: {Event} {Detail}")]
    private static partial void LogReplicaEvent(ILogger logger, string replica, string @event, string detail);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "{Replica} {Reason}; its last output:\n{Tail}")]
    private static partial void LogReplicaFailed(ILogger logger, string replica, string reason, string tail);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Stopping every process of the stack")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Stopped")]
    private static partial void LogStopped(ILogger logger);
}
