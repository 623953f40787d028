using System.Diagnostics.Metrics;
using BenchPlatform.InferenceWorker.Predict;
using BenchPlatform.InferenceWorker.Sessions;
using BenchPlatform.ServiceDefaults;

namespace BenchPlatform.InferenceWorker.Telemetry;

/// <summary>
/// Per-model OpenTelemetry instruments on the platform meter: requests, queue and inference time, batch size, cache hits
/// and misses, queue length, requests refused or dropped under overload, the request bytes held, and the replica's
/// cold start by phase.
/// </summary>
public sealed class InferenceMetrics
{
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _queue;
    private readonly Histogram<double> _infer;
    private readonly Histogram<long> _batch;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Histogram<double> _load;
    private readonly Counter<long> _shed;
    private readonly Histogram<double> _coldStart;

    /// <summary>Creates the instruments from the host's meter factory.</summary>
    public InferenceMetrics(IMeterFactory meters, ModelSessions sessions, RequestMemory memory)
    {
        var meter = meters.Create(PlatformTelemetry.MeterName);
        _requests = meter.CreateCounter<long>("inference.requests", description: "Predict requests answered, by model");
        _queue = meter.CreateHistogram<double>("inference.queue_time", "ms", "Time a request waited for its batch to start");
        _infer = meter.CreateHistogram<double>("inference.infer_time", "ms", "ONNX Runtime run time of the batch a request was in");
        _batch = meter.CreateHistogram<long>("inference.batch_size", "{row}", "Rows in the run a request was part of");
        _hits = meter.CreateCounter<long>("inference.cache.hits", description: "Predictions answered from the Redis cache");
        _misses = meter.CreateCounter<long>("inference.cache.misses", description: "Cache lookups that found nothing");
        _load = meter.CreateHistogram<double>("inference.load_time", "ms", "Session creation time (model cold start)");
        _shed = meter.CreateCounter<long>("inference.shed", description:
            "Requests not run, by model and reason: overloaded (refused at once), deadline (expired in the queue), abandoned (caller left)");
        _coldStart = meter.CreateHistogram<double>("inference.cold_start", "ms",
            "A replica's start, by phase: runtime (process start to the worker's start-up), registry (migrations, blob " +
            "collection, sample registration), preload (the preload list loaded and run once), ready (process start to ready)");
        meter.CreateObservableGauge("inference.queue.length", () => QueueLengths(sessions), "{request}", "Requests waiting for a runner, by model");
        meter.CreateObservableGauge("inference.request_memory", () => memory.Held, "By", "Bytes of request bodies held (Inference:MaxRequestBytes bounds them)");
    }

    private static IEnumerable<Measurement<int>> QueueLengths(ModelSessions sessions)
    {
        foreach (var model in sessions.Loaded)
        {
            yield return new Measurement<int>(model.Queued, new KeyValuePair<string, object?>("model", model.Record.Name));
        }
    }

    /// <summary>Records a request that was not run: <c>overloaded</c>, <c>deadline</c>, <c>abandoned</c> or <c>memory</c> (model <c>*</c>: refused before it was resolved).</summary>
    public void Shed(string model, string reason) =>
        _shed.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Records one answered request.</summary>
    public void Request(string model) => _requests.Add(1, new KeyValuePair<string, object?>("model", model));

    /// <summary>Records a run's timings.</summary>
    public void Run(string model, double queueMs, double inferMs, int batchSize)
    {
        var tag = new KeyValuePair<string, object?>("model", model);
        _queue.Record(queueMs, tag);
        _infer.Record(inferMs, tag);
        _batch.Record(batchSize, tag);
    }

    /// <summary>Records a cache lookup.</summary>
    public void Cache(string model, bool hit) =>
        (hit ? _hits : _misses).Add(1, new KeyValuePair<string, object?>("model", model));

    /// <summary>Records one phase of this replica's start (see the instrument's description).</summary>
    public void ColdStart(string phase, double ms) => _coldStart.Record(ms, new KeyValuePair<string, object?>("phase", phase));

    /// <summary>Records a model load.</summary>
    public void Load(string model, double loadMs) => _load.Record(loadMs, new KeyValuePair<string, object?>("model", model));
}
