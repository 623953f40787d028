namespace BenchPlatform.AppHost.Dashboard.Resources;

/// <summary>One process of a project: its lifecycle state, last health probe, process and restarts.</summary>
public sealed record ReplicaView(
    string Id,
    string State,
    string Health,
    string Endpoint,
    int? Pid,
    DateTimeOffset? StartedAt,
    int Restarts,
    double ReadyMs);
