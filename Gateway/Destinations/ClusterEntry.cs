namespace BenchPlatform.Gateway.Destinations;

/// <summary>
/// The gateway's view of one cluster: the replica set the AppHost last sent, the desired count, and the
/// load counters (requests being forwarded, requests held for want of a ready replica).
/// </summary>
internal sealed class ClusterEntry(string name, bool holdsWhenCold)
{
    private TaskCompletionSource _changed = NewSignal();
    private int _inflight;
    private int _waiting;

    public string Name { get; } = name;

    /// <summary>Whether requests wait for a replica when none is ready (autoscaled clusters).</summary>
    public bool HoldsWhenCold { get; } = holdsWhenCold;

    public int Desired { get; private set; }

    /// <summary>The operator's upper bound on replicas when the AppHost sent one; 0 means scaled to zero on purpose.</summary>
    public int? Max { get; private set; }

    /// <summary>An operator set max 0: no replica will start, so requests are refused at once instead of held.</summary>
    public bool ScaledToZero => Max == 0;

    public IReadOnlyList<ReplicaDestination> Destinations { get; private set; } = [];

    public int ReadyCount { get; private set; }

    public int Inflight => Volatile.Read(ref _inflight);

    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Completes at the next change of this cluster's destinations or of their availability.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    public void Replace(int desired, int? max, IReadOnlyList<ReplicaDestination> destinations)
    {
        var ready = 0;
        foreach (var destination in destinations)
        {
            if (destination.State == DestinationLifecycle.Ready)
            {
                ready++;
            }
        }

        Desired = desired;
        Max = max;
        Destinations = destinations;
        ReadyCount = ready;
    }

    /// <summary>Wakes every request waiting on <see cref="Changed"/>.</summary>
    public void Pulse() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    public void EnterInflight() => Interlocked.Increment(ref _inflight);

    public void ExitInflight() => Interlocked.Decrement(ref _inflight);

    public void EnterWaiting() => Interlocked.Increment(ref _waiting);

    public void ExitWaiting() => Interlocked.Decrement(ref _waiting);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
