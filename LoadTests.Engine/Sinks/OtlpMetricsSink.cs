using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace BenchPlatform.LoadTests;

/// <summary>
/// Exports a run's live numbers as OpenTelemetry metrics over OTLP, so they show in the dashboard next to the stack's own:
/// <c>loadtests.requests_per_second</c>, <c>loadtests.errors_per_second</c>, <c>loadtests.latency</c> (ms, one series per
/// <c>quantile</c> p50/p90/p99/max), and the counters <c>loadtests.requests</c> (by <c>outcome</c>) and
/// <c>loadtests.dropped</c>, each tagged with its <c>scenario</c>. The endpoint and protocol come from
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> / <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> unless given.
/// </summary>
public sealed class OtlpMetricsSink : IReportingSink, IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "BenchPlatform.LoadTests";

    private readonly Lock _gate = new();
    private readonly Uri? _endpoint;
    private readonly OtlpExportProtocol? _protocol;
    private readonly TimeSpan _exportInterval;
    private readonly string _serviceName;
    private Dictionary<string, RealtimeStats> _latest = new(StringComparer.Ordinal);
    private Meter? _meter;
    private MeterProvider? _provider;

    /// <summary>
    /// A sink exporting every <paramref name="exportInterval"/> (default 5 s) to <paramref name="endpoint"/> (default: the
    /// environment's, else the OTLP default) over <paramref name="protocol"/>, as service <paramref name="serviceName"/>.
    /// </summary>
    public OtlpMetricsSink(Uri? endpoint = null, OtlpExportProtocol? protocol = null, TimeSpan? exportInterval = null, string serviceName = "loadtests")
    {
        _endpoint = endpoint;
        _protocol = protocol;
        _exportInterval = exportInterval ?? TimeSpan.FromSeconds(5);
        _serviceName = serviceName;
    }

    /// <inheritdoc />
    public string SinkName => "otlp";

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // One meter per sink, so two runs in one process (tests) export only their own scenarios.
        _meter = new Meter(MeterName, "1.0");
        _meter.CreateObservableGauge("loadtests.requests_per_second", () => Observe(s => s.RequestsPerSecond), "{request}/s", "Iterations completed per second over the last interval");
        _meter.CreateObservableGauge("loadtests.errors_per_second", () => Observe(s => s.ErrorsPerSecond), "{request}/s", "Failed iterations per second over the last interval");
        _meter.CreateObservableGauge("loadtests.latency", ObserveLatency, "ms", "Corrected latency over the last interval, by quantile");
        _meter.CreateObservableCounter("loadtests.requests", ObserveRequests, "{request}", "Iterations completed, by outcome");
        _meter.CreateObservableCounter("loadtests.dropped", () => Observe(s => s.Dropped), "{request}", "Iterations the generator could not start");
        var meter = _meter;
        _provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService(_serviceName))
            .AddMeter(MeterName)
            .AddView(instrument => ReferenceEquals(instrument.Meter, meter) ? null : MetricStreamConfiguration.Drop)
            .AddOtlpExporter((exporter, reader) =>
            {
                if (_protocol is { } protocol)
                {
                    exporter.Protocol = protocol;
                }

                if (_endpoint is { } endpoint)
                {
                    // An endpoint given in code is used as is: OTLP/HTTP needs the signal's path.
                    exporter.Endpoint = exporter.Protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath is "/" or ""
                        ? new Uri(endpoint, "v1/metrics")
                        : endpoint;
                }

                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)Math.Max(100, _exportInterval.TotalMilliseconds);
            })
            .Build();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SaveRealtimeStatsAsync(IReadOnlyList<RealtimeStats> stats, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<string, RealtimeStats>(StringComparer.Ordinal);
        foreach (var scenario in stats)
        {
            latest[scenario.ScenarioName] = scenario;
        }

        lock (_gate)
        {
            _latest = latest;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SaveFinalStatsAsync(LoadTestStats stats, CancellationToken cancellationToken)
    {
        _provider?.ForceFlush(5000);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _provider?.Dispose();
        _provider = null;
        _meter?.Dispose();
        _meter = null;
    }

    private Dictionary<string, RealtimeStats> Latest()
    {
        lock (_gate)
        {
            return _latest;
        }
    }

    private IEnumerable<Measurement<T>> Observe<T>(Func<RealtimeStats, T> value)
        where T : struct
    {
        foreach (var (name, stats) in Latest())
        {
            yield return new Measurement<T>(value(stats), new KeyValuePair<string, object?>("scenario", name));
        }
    }

    private IEnumerable<Measurement<double>> ObserveLatency()
    {
        foreach (var (name, stats) in Latest())
        {
            var scenario = new KeyValuePair<string, object?>("scenario", name);
            yield return new Measurement<double>(stats.Latency.P50, scenario, new("quantile", "p50"));
            yield return new Measurement<double>(stats.Latency.P90, scenario, new("quantile", "p90"));
            yield return new Measurement<double>(stats.Latency.P99, scenario, new("quantile", "p99"));
            yield return new Measurement<double>(stats.Latency.Max, scenario, new("quantile", "max"));
        }
    }

    private IEnumerable<Measurement<long>> ObserveRequests()
    {
        foreach (var (name, stats) in Latest())
        {
            var scenario = new KeyValuePair<string, object?>("scenario", name);
            yield return new Measurement<long>(stats.Completed - stats.Errors, scenario, new("outcome", "ok"));
            yield return new Measurement<long>(stats.Errors, scenario, new("outcome", "error"));
        }
    }
}
