namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>A replica lifecycle transition with its time, so a cold start can be broken into phases.</summary>
public sealed record ReplicaEvent(DateTimeOffset Timestamp, string Replica, string Event, string? Detail = null);
