using System.Diagnostics;
using BenchPlatform.AppHost.Hosting.Resources;
using BenchPlatform.AppHost.Hosting.Servers;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>
/// The replicas of one project: starts them from build output, adds and drains them as the desired count
/// changes, and tells the projects that route to it (the gateway) whenever the set changes.
/// </summary>
public sealed class ProjectRunner
{
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _scale = new(1, 1);
    private readonly List<Replica> _replicas = [];
    private readonly List<Task> _draining = [];

    internal ProjectRunner(Orchestrator orchestrator, LocalProjectResource resource)
    {
        Orchestrator = orchestrator;
        Resource = resource;
        if (resource.Autoscale is { } declared)
        {
            var settings = orchestrator.Options.Autoscale.GetValueOrDefault(resource.Name);
            Policy = declared with
            {
                Min = settings?.Min ?? declared.Min,
                Max = settings?.Max ?? declared.Max,
                TargetInflightPerReplica = settings?.TargetInflightPerReplica ?? declared.TargetInflightPerReplica,
                ScaleDownWindow = settings?.ScaleDownWindow ?? declared.ScaleDownWindow,
                Buffer = settings?.Buffer ?? declared.Buffer,
            };
            if (Policy.Min < 0 || Policy.Max < Math.Max(1, Policy.Min) || Policy.TargetInflightPerReplica < 1 || Policy.ScaleDownWindow < TimeSpan.Zero || Policy.Buffer < 0)
            {
                throw new InvalidOperationException(
                    $"AppHost:Autoscale:{resource.Name} gives min {Policy.Min}, max {Policy.Max}, target {Policy.TargetInflightPerReplica}, window {Policy.ScaleDownWindow}, buffer {Policy.Buffer}; " +
                    "use 0 <= min <= max, max >= 1, target >= 1, a window of zero or more and a buffer of zero or more.");
            }

            Min = Policy.Min;
            Max = Policy.Max;
            Desired = Policy.Min;
        }
        else
        {
            Min = resource.Replicas;
            Max = Math.Max(1, resource.Replicas);
            Desired = resource.Replicas;
        }
    }

    /// <summary>The effective autoscale policy (declared, then configuration), or null for a fixed replica count.</summary>
    public Resources.AutoscalePolicy? Policy { get; }

    /// <summary>The project.</summary>
    public LocalProjectResource Resource { get; }

    /// <summary>The replicas, including those starting and draining.</summary>
    public IReadOnlyList<Replica> Replicas
    {
        get
        {
            lock (_lock)
            {
                return [.. _replicas];
            }
        }
    }

    /// <summary>How many replicas should run.</summary>
    public int Desired { get; private set; }

    /// <summary>The lower bound of <see cref="Desired"/>.</summary>
    public int Min { get; private set; }

    /// <summary>The upper bound of <see cref="Desired"/>.</summary>
    public int Max { get; private set; }

    /// <summary>Requests in flight on this project at the gateway (last load report).</summary>
    public int Inflight { get; internal set; }

    /// <summary>Requests the gateway holds because no replica is ready (last load report).</summary>
    public int Waiting { get; internal set; }

    /// <summary>How many replicas are in rotation.</summary>
    public int Ready => Replicas.Count(r => r.State == ReplicaState.Ready);

    /// <summary>Raised whenever a replica changes state or the set changes.</summary>
    public event Action<ProjectRunner>? Changed;

    /// <summary>Raised when a replica's process (re)starts; a consumer that restarted needs the destination set again.</summary>
    internal event Action<Replica>? ProcessStarted;

    internal Orchestrator Orchestrator { get; }

    internal TimeProvider Time => Orchestrator.Time;

    internal AppHostOptions Options => Orchestrator.Options;

    internal HttpClient Http => Orchestrator.Http;

    /// <summary>Starts the declared replicas and completes when all are ready.</summary>
    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        await ScaleToAsync(Desired, cancellationToken);
        await Task.WhenAll(Replicas.Select(r => r.FirstReady)).WaitAsync(cancellationToken);
    }

    /// <summary>Sets the bounds and moves <see cref="Desired"/> into them.</summary>
    internal async Task SetBoundsAsync(int min, int max, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Min = min;
            Max = max;
        }

        await ScaleToAsync(Math.Clamp(Desired, min, max), cancellationToken);
    }

    /// <summary>
    /// Adds replicas (each starts at once) or drains the highest-numbered ones until <paramref name="desired"/>
    /// are running; drained replicas leave rotation first and stop once the gateway has nothing in flight on them.
    /// </summary>
    internal async Task ScaleToAsync(int desired, CancellationToken cancellationToken)
    {
        await _scale.WaitAsync(cancellationToken);
        try
        {
            // An autoscaled project stays within the bounds as they are now (a decision taken before an operator changed them must not
            // undo the change), and never more replicas than the placement allows (GPUs × replicas per GPU, or the CPU limit).
            if (Policy is not null)
            {
                lock (_lock)
                {
                    desired = Math.Clamp(desired, Min, Max);
                }
            }

            Desired = Policy is null ? desired : Math.Min(desired, Orchestrator.Placement.Capacity);
            desired = Desired;
            List<Replica> toDrain = [];
            lock (_lock)
            {
                var active = _replicas.Where(r => r.State != ReplicaState.Draining).OrderBy(r => r.Index).ToList();
                for (var add = active.Count; add < desired; add++)
                {
                    var index = Enumerable.Range(0, int.MaxValue).First(i => _replicas.All(r => r.Index != i));
                    var replica = new Replica(this, index, Orchestrator.Ports.Allocate(Resource, index));
                    _replicas.Add(replica);
                    replica.Start();
                }

                toDrain.AddRange(active.Skip(desired).OrderByDescending(r => r.Index));
            }

            foreach (var replica in toDrain)
            {
                replica.MarkDraining();
                lock (_lock)
                {
                    _draining.Add(DrainAsync(replica));
                }
            }

            Changed?.Invoke(this);
        }
        finally
        {
            _scale.Release();
        }
    }

    /// <summary>Stops every replica (in parallel), the draining ones included.</summary>
    internal async Task StopAsync()
    {
        var replicas = Replicas;
        await Task.WhenAll(replicas.Select(r => r.StopAsync(TimeSpan.FromSeconds(5))));
        Task[] draining;
        lock (_lock)
        {
            draining = [.. _draining];
        }

        await Task.WhenAll(draining);
    }

    internal void KillWithoutRestart()
    {
        foreach (var replica in Replicas)
        {
            replica.KillWithoutRestart();
        }
    }

    internal ServerProcess StartProcess(Replica replica)
    {
        var assembly = AssemblyFor(Resource, Options);
        var start = new ProcessStartInfo(DotNetHost.Path, [assembly])
        {
            WorkingDirectory = Path.GetDirectoryName(Resource.Metadata.ProjectPath)!,
        };
        foreach (var (name, value) in ServiceEnvironment.For(Orchestrator, this, replica))
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        if (replica.UnixSocket is { } socket)
        {
            // A socket file left by the replica's previous process would make the new one fail to bind.
            File.Delete(socket);
        }

        replica.Log.Append($"--- starting {replica.Id}: {DotNetHost.Path} {assembly}");
        return ServerProcess.Start(replica.Id, start, replica.Log.Append);
    }

    /// <summary>
    /// The dll a replica runs: the configured override, else the ReadyToRun publish beside the build output
    /// (<c>r2r/</c>, which the project's build writes; precompiled, so it starts with less JIT) when it is at least as
    /// new as the build, else the build output itself.
    /// </summary>
    internal static string AssemblyFor(LocalProjectResource resource, AppHostOptions options)
    {
        if (options.Assemblies.TryGetValue(resource.Name, out var configured))
        {
            return Path.GetFullPath(configured);
        }

        var built = resource.Metadata.AssemblyPath;
        var precompiled = Path.Combine(Path.GetDirectoryName(built)!, "r2r", Path.GetFileName(built));
        return File.Exists(precompiled) && File.Exists(built) && File.GetLastWriteTimeUtc(precompiled) >= File.GetLastWriteTimeUtc(built)
            ? precompiled
            : built;
    }

    internal void OnProcessStarted(Replica replica)
    {
        Orchestrator.Reporter.Replica(Resource, replica);
        ProcessStarted?.Invoke(replica);
    }

    internal void OnReplicaChanged(Replica replica, string @event, string? detail)
    {
        Orchestrator.RecordEvent(replica, @event, detail);
        Changed?.Invoke(this);
    }

    internal void OnReplicaFailed(Replica replica, string reason) => Orchestrator.ReportFailure(replica, reason);

    private async Task DrainAsync(Replica replica)
    {
        await Orchestrator.WaitDrainedAsync(this, replica);
        await replica.StopAsync(TimeSpan.FromSeconds(10));
        lock (_lock)
        {
            _replicas.Remove(replica);
        }

        Orchestrator.Ports.Release(replica.Port);
        Orchestrator.Placement.Release(replica.Id);
        Changed?.Invoke(this);
    }
}
