namespace BenchPlatform.Gateway.Destinations;

/// <summary>One replica of a cluster: its id (e.g. <c>inference-0</c>), base address and lifecycle state.</summary>
internal sealed record ReplicaDestination(string Id, string Address, DestinationLifecycle State);
