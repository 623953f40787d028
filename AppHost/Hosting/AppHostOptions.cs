namespace BenchPlatform.AppHost.Hosting;

/// <summary>Settings of the local orchestrator, the Aspire extension that runs the stack's processes (configuration section <c>AppHost</c>).</summary>
public sealed class AppHostOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "AppHost";

    /// <summary>Where data, logs and secrets live; relative to the current directory.</summary>
    public string StateFolder { get; set; } = ".state";

    /// <summary>The port of Aspire's dashboard on 127.0.0.1.</summary>
    public int DashboardPort { get; set; } = 18888;

    /// <summary>The port of the control API on 127.0.0.1 (the gateway's demand signal, scale and warm-up); 0 for a free one.</summary>
    public int ControlPort { get; set; }

    /// <summary>
    /// The longest Aspire's orchestrator and dashboard wait for the stack to be ready before they start anyway (they start
    /// at once when it is ready or has failed); <c>00:00:00</c> starts them with the stack.
    /// </summary>
    public TimeSpan DashboardDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>nice</c> increment Aspire's orchestrator (DCP) and its dashboard run at, so the stack's processes get the cores first; 0 to leave them alone.</summary>
    public int OrchestratorNice { get; set; } = 10;

    /// <summary>Port overrides per resource name, e.g. <c>AppHost:Ports:gateway=8081</c>.</summary>
    public Dictionary<string, int> Ports { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Folders searched for PostgreSQL binaries after PATH; empty means <c>/usr/lib/postgresql/*/bin</c>.</summary>
    public List<string> PostgresSearchFolders { get; set; } = [];

    /// <summary>How long a replica may take to report healthy before it is restarted.</summary>
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Lines of output kept in memory per process.</summary>
    public int LogLines { get; set; } = 2000;

    /// <summary>Bytes of output kept on disk per process before the file is rotated (one old file kept).</summary>
    public long LogFileBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Build outputs to run instead of the project's own, by resource name, e.g.
    /// <c>AppHost:Assemblies:inference=/tmp/r2r/InferenceWorker.Gpu.dll</c> (a Release or ReadyToRun publish).
    /// </summary>
    public Dictionary<string, string> Assemblies { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Overrides of the autoscale policies declared in Program.cs, by resource name.</summary>
    public Dictionary<string, AutoscaleSettings> Autoscale { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How often the autoscaler reads the gateway's load signal.</summary>
    public TimeSpan LoadPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest a draining replica may take to finish its in-flight requests before it is stopped.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Replicas of an autoscaled project that may share one GPU.</summary>
    public int ReplicasPerGpu { get; set; } = 1;

    /// <summary>How a GPU is chosen for a new replica.</summary>
    public Orchestration.GpuPlacementMode GpuPlacement { get; set; } = Orchestration.GpuPlacementMode.RoundRobin;

    /// <summary>
    /// The most replicas of an autoscaled project on a CPU-only machine; 0 (the default) means one per core: a CPU-bound
    /// replica beyond the cores adds contention, not capacity.
    /// </summary>
    public int MaxCpuReplicas { get; set; }

    /// <summary>The first restart delay after a crash; it doubles up to <see cref="MaxRestartDelay"/>.</summary>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest restart delay.</summary>
    public TimeSpan MaxRestartDelay { get; set; } = TimeSpan.FromSeconds(15);
}
