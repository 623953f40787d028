namespace BenchPlatform.Gateway.Destinations;

/// <summary>Where a replica is in its life, as the AppHost reports it; only <see cref="Ready"/> ones get requests.</summary>
internal enum DestinationLifecycle
{
    Starting,
    Ready,
    Draining,
}
