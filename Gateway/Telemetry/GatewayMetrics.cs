using System.Diagnostics.Metrics;
using BenchPlatform.Gateway.Destinations;
using BenchPlatform.ServiceDefaults;

namespace BenchPlatform.Gateway.Telemetry;

/// <summary>
/// The load signal as OpenTelemetry metrics (meter <c>BenchPlatform</c>): requests in flight and held per
/// cluster, replicas ready and desired (Aspire's dashboard charts them), and how long held requests waited.
/// </summary>
internal sealed class GatewayMetrics
{
    private readonly Histogram<double> _holdDuration;

    public GatewayMetrics(IMeterFactory meterFactory, DestinationRegistry registry)
    {
        var meter = meterFactory.Create(PlatformTelemetry.MeterName);
        meter.CreateObservableGauge("gateway.cluster.inflight", () => Observe(registry, static c => c.Inflight),
            "{request}", "Requests being forwarded to the cluster's replicas.");
        meter.CreateObservableGauge("gateway.cluster.waiting", () => Observe(registry, static c => c.Waiting),
            "{request}", "Requests held because the cluster has no ready replica.");
        meter.CreateObservableGauge("gateway.cluster.replicas.ready", () => Observe(registry, static c => c.ReadyCount),
            "{replica}", "Replicas of the cluster in rotation, as the AppHost last sent them.");
        meter.CreateObservableGauge("gateway.cluster.replicas.desired", () => Observe(registry, static c => c.Desired),
            "{replica}", "Replicas the AppHost's autoscaler wants for the cluster.");
        _holdDuration = meter.CreateHistogram<double>("gateway.cold_hold.duration", "ms", "Time a request was held for a cold cluster.");
    }

    public void RecordHold(string cluster, double milliseconds, bool served) =>
        _holdDuration.Record(milliseconds, new KeyValuePair<string, object?>("cluster", cluster), new KeyValuePair<string, object?>("served", served));

    private static IEnumerable<Measurement<int>> Observe(DestinationRegistry registry, Func<ClusterEntry, int> value)
    {
        foreach (var cluster in registry.Clusters)
        {
            yield return new Measurement<int>(value(cluster), new KeyValuePair<string, object?>("cluster", cluster.Name));
        }
    }
}
