namespace BenchPlatform.Gateway.Destinations;

/// <summary>
/// One replica of a cluster: its id (e.g. <c>inference-0</c>), base address and lifecycle state, and, when the
/// replica also listens on a Unix domain socket on this machine, that socket's path (connections to
/// <see cref="Address"/> then go over the socket; <see cref="UnixSocketConnector"/>).
/// </summary>
internal sealed record ReplicaDestination(string Id, string Address, DestinationLifecycle State, string? UnixSocket = null);
