using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace BenchPlatform.Gateway.Destinations;

/// <summary>
/// YARP availability: a destination is in rotation when the AppHost says it is ready and neither active
/// nor passive health checks have marked it unhealthy (unknown counts as healthy until the first probe).
/// </summary>
internal sealed class ReadyDestinationsPolicy : IAvailableDestinationsPolicy
{
    public const string PolicyName = "ReadyAndHealthy";

    /// <summary>Destination metadata key that carries the lifecycle state.</summary>
    public const string StateMetadataKey = "state";

    public string Name => PolicyName;

    public IReadOnlyList<DestinationState> GetAvailalableDestinations(ClusterConfig config, IReadOnlyList<DestinationState> allDestinations)
    {
        var available = new List<DestinationState>(allDestinations.Count);
        foreach (var destination in allDestinations)
        {
            if (IsReady(destination.Model.Config)
                && destination.Health.Active != DestinationHealth.Unhealthy
                && destination.Health.Passive != DestinationHealth.Unhealthy)
            {
                available.Add(destination);
            }
        }

        return available;
    }

    private static bool IsReady(DestinationConfig config) =>
        config.Metadata is not null
        && config.Metadata.TryGetValue(StateMetadataKey, out var state)
        && state == nameof(DestinationLifecycle.Ready);
}
