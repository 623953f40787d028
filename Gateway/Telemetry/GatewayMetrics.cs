using System.Diagnostics.Metrics;
using BenchPlatform.Gateway.Destinations;
using BenchPlatform.Gateway.Forwarding;
using BenchPlatform.ServiceDefaults;

namespace BenchPlatform.Gateway.Telemetry;

/// <summary>
/// The load signal as OpenTelemetry metrics (meter <c>BenchPlatform</c>): requests in flight and held per
/// cluster, replicas ready and desired (Aspire's dashboard charts them), how long held requests waited, and each
/// model's adaptive concurrency limit and the requests refused over it.
/// </summary>
internal sealed class GatewayMetrics
{
    private readonly Histogram<double> _holdDuration;
    private readonly Counter<long> _shed;

    public GatewayMetrics(IMeterFactory meterFactory, DestinationRegistry registry, ConcurrencyLimits limits)
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
        meter.CreateObservableGauge("gateway.model.concurrency_limit", () => limits.All.Select(
                static l => new Measurement<int>(l.Value.Limit, new KeyValuePair<string, object?>("model", l.Key))),
            "{request}", "The adaptive concurrency limit of each model: infer requests let through at once.");
        _shed = meter.CreateCounter<long>("gateway.model.shed", "{request}", "Infer requests refused at once over the model's concurrency limit.");
    }

    public void Shed(string model) => _shed.Add(1, new KeyValuePair<string, object?>("model", model));

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
