using System.Collections.Frozen;
using BenchPlatform.Gateway.Forwarding;
using BenchPlatform.Gateway.Options;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace BenchPlatform.Gateway.Destinations;

/// <summary>
/// The one mechanism for dynamic destinations: the replica sets of every cluster (seeded from service
/// discovery configuration, replaced by the AppHost through <c>PUT /_internal/clusters/{cluster}/destinations</c>),
/// turned into YARP configuration through an <see cref="InMemoryConfigProvider"/>.
/// </summary>
internal sealed partial class DestinationRegistry
{
    private static readonly string[] ClusterNames = [GatewayRoutes.Inference, GatewayRoutes.Sandbox, GatewayRoutes.AppHost];

    private readonly Lock _lock = new();
    private readonly GatewayOptions _options;
    private readonly IReadOnlyList<RouteConfig> _routes;
    private readonly FrozenDictionary<string, ClusterEntry> _clusters;
    private readonly ILogger<DestinationRegistry> _logger;

    private readonly UnixSocketConnector _connector;

    public DestinationRegistry(
        IOptions<GatewayOptions> options, IConfiguration configuration, UnixSocketConnector connector, ILogger<DestinationRegistry> logger)
    {
        _options = options.Value;
        _connector = connector;
        _logger = logger;
        _routes = GatewayRoutes.Build();
        var clusters = new Dictionary<string, ClusterEntry>(StringComparer.Ordinal);
        foreach (var name in ClusterNames)
        {
            var entry = new ClusterEntry(name, Array.IndexOf(_options.HoldClusters, name) >= 0);
            var initial = FromServiceDiscovery(configuration, name);
            entry.Replace(name == GatewayRoutes.AppHost ? 0 : initial.Count, null, initial);
            clusters[name] = entry;
        }

        _clusters = clusters.ToFrozenDictionary(StringComparer.Ordinal);
        _connector.Update(_clusters.Values);
        ConfigProvider = new InMemoryConfigProvider(_routes, BuildClusters());
    }

    /// <summary>What YARP reads its routes and clusters from.</summary>
    public InMemoryConfigProvider ConfigProvider { get; }

    public IEnumerable<ClusterEntry> Clusters => _clusters.Values;

    public bool TryGet(string cluster, out ClusterEntry entry) => _clusters.TryGetValue(cluster, out entry!);

    /// <summary>Replaces a cluster's whole replica set and applies it to YARP.</summary>
    public void Replace(ClusterEntry cluster, int desired, int? max, IReadOnlyList<ReplicaDestination> destinations)
    {
        lock (_lock)
        {
            cluster.Replace(desired, max, destinations);

            // Sockets first: the first connection to a new destination already goes over its socket.
            _connector.Update(_clusters.Values);
            ConfigProvider.Update(_routes, BuildClusters());
        }

        LogDestinationsReplaced(_logger, cluster.Name, destinations.Count, cluster.ReadyCount, desired);
        cluster.Pulse();
    }

    public void Pulse(string cluster)
    {
        if (_clusters.TryGetValue(cluster, out var entry))
        {
            entry.Pulse();
        }
    }

    private List<ClusterConfig> BuildClusters()
    {
        var clusters = new List<ClusterConfig>(ClusterNames.Length);
        foreach (var name in ClusterNames)
        {
            clusters.Add(BuildCluster(_clusters[name]));
        }

        return clusters;
    }

    private ClusterConfig BuildCluster(ClusterEntry entry)
    {
        var name = entry.Name;
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal);
        foreach (var destination in entry.Destinations)
        {
            destinations[destination.Id] = new DestinationConfig
            {
                Address = destination.Address,
                Metadata = new Dictionary<string, string>
                {
                    [ReadyDestinationsPolicy.StateMetadataKey] = destination.State.ToString(),
                },
            };
        }

        // The AppHost control API is one process that does not serve /health; replicas are probed.
        var probed = name != GatewayRoutes.AppHost;
        return new ClusterConfig
        {
            ClusterId = name,
            LoadBalancingPolicy = LoadBalancingPolicies.LeastRequests,
            HealthCheck = new HealthCheckConfig
            {
                AvailableDestinationsPolicy = ReadyDestinationsPolicy.PolicyName,
                Active = probed
                    ? new ActiveHealthCheckConfig
                    {
                        Enabled = true,
                        Interval = _options.HealthCheckInterval,
                        Timeout = _options.HealthCheckTimeout,
                        Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                        Path = "/health",
                    }
                    : null,
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true,
                    Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                    ReactivationPeriod = _options.ReactivationPeriod,
                },
            },
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = _options.RequestTimeout },
            Destinations = destinations,
        };
    }

    /// <summary>
    /// Reads <c>services:{name}:http:{i}</c> (and <c>https</c>), the configuration shape of
    /// Microsoft.Extensions.ServiceDiscovery; replicas known at start are taken as ready.
    /// </summary>
    private static List<ReplicaDestination> FromServiceDiscovery(IConfiguration configuration, string name)
    {
        var destinations = new List<ReplicaDestination>();
        foreach (var scheme in (string[])["http", "https"])
        {
            var section = configuration.GetSection($"services:{name}:{scheme}");
            var children = section.GetChildren()
                .Where(child => !string.IsNullOrWhiteSpace(child.Value))
                .OrderBy(child => int.TryParse(child.Key, out var index) ? index : int.MaxValue);
            foreach (var child in children)
            {
                destinations.Add(new ReplicaDestination($"{name}-{destinations.Count}", child.Value!, DestinationLifecycle.Ready));
            }
        }

        return destinations;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {Cluster}: {Count} destinations, {Ready} ready, {Desired} desired")]
    private static partial void LogDestinationsReplaced(ILogger logger, string cluster, int count, int ready, int desired);
}
