namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>Where a replica is in its lifecycle; only <see cref="Ready"/> replicas are in rotation.</summary>
public enum ReplicaState
{
    /// <summary>Process started, health not yet reported.</summary>
    Starting,

    /// <summary>Healthy (and warmed up); in rotation at the gateway.</summary>
    Ready,

    /// <summary>Out of rotation; finishing its in-flight requests before it stops.</summary>
    Draining,

    /// <summary>Exited unexpectedly; restarting after a back-off.</summary>
    Restarting,

    /// <summary>Stopped by the AppHost.</summary>
    Stopped,
}
