using System.Diagnostics;
using BenchPlatform.InferenceWorker.Batching;
using BenchPlatform.InferenceWorker.Registry;
using Microsoft.ML.OnnxRuntime;

namespace BenchPlatform.InferenceWorker.Sessions;

/// <summary>
/// One model version loaded in this process: its shared <see cref="InferenceSession"/>, signature and batcher.
/// Reference-counted so that an unloaded model is disposed only after the last request using it finishes.
/// </summary>
public sealed class LoadedModel
{
    private readonly ModelBatcher _batcher;
    private int _references = 1;
    private long _lastUsed;

    internal LoadedModel(ModelRecord record, InferenceSession session, double loadMs, string optimizedCache, InferenceOptions options, TimeProvider time)
    {
        Record = record;
        Session = session;
        LoadMs = loadMs;
        OptimizedCache = optimizedCache;
        MaxBatchSize = record.MaxBatchSize ?? options.MaxBatchSize;
        _batcher = new ModelBatcher(this, new BatcherSettings(
            Merge: Batchable && options.DynamicBatching && MaxBatchSize > 1,
            MaxRows: MaxBatchSize,
            MaxQueueDelay: TimeSpan.FromMicroseconds(record.MaxQueueDelayMicroseconds ?? options.MaxQueueDelayMicroseconds),
            BatchLatencyBudget: TimeSpan.FromMilliseconds(options.BatchLatencyBudgetMilliseconds),
            Runners: options.BatchRunners > 0 ? options.BatchRunners : Environment.ProcessorCount,
            MaxQueueWait: TimeSpan.FromMilliseconds(options.MaxQueueWaitMilliseconds),
            MaxQueueLength: options.MaxQueueLength), time);

        Touch();
    }

    /// <summary>The registry record this session was loaded from.</summary>
    public ModelRecord Record { get; }

    /// <summary>The shared ONNX Runtime session.</summary>
    public InferenceSession Session { get; }

    /// <summary>The inputs the model expects, in signature order.</summary>
    public IReadOnlyList<ModelInput> Inputs => Record.Signature.Inputs;

    /// <summary>The outputs the model produces, in signature order.</summary>
    public IReadOnlyList<ModelInput> Outputs => Record.Signature.Outputs;

    internal string[] InputNames => Record.Signature.InputNames;

    internal string[] OutputNames => Record.Signature.OutputNames;

    /// <summary>Whether every input and output has a dynamic first (batch) dimension, so requests can be merged.</summary>
    public bool Batchable => Record.Signature.Batchable;

    /// <summary>The most rows (first dimension) one request, and one merged run, may carry.</summary>
    public int MaxBatchSize { get; }

    /// <summary>How long creating the session took.</summary>
    public double LoadMs { get; }

    /// <summary>The intra-op threads the session runs with (0: ONNX Runtime's default, every core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary><c>hit</c>, <c>miss</c> or <c>off</c> (eager: no optimized graph).</summary>
    public string OptimizedCache { get; }

    /// <summary>Bytes this model counts against the loaded-models bound.</summary>
    public long SizeBytes => Record.SizeBytes;

    internal long LastUsed => Volatile.Read(ref _lastUsed);

    internal void Touch() => Volatile.Write(ref _lastUsed, Stopwatch.GetTimestamp());

    /// <summary>Requests waiting for a runner of this model.</summary>
    public int Queued => _batcher.Queued;

    /// <summary>Runs of this model in progress.</summary>
    public int Running => _batcher.Running;

    /// <summary>
    /// Runs validated inputs (in model input order; <paramref name="binaryOutputs"/> flags outputs that go back as binary
    /// tensor data) through the model's queue: merged with other requests when the model is batchable and batching is
    /// on; refused at once with <see cref="OverloadedException"/> when the queue's expected wait is over its bound;
    /// dropped unrun when <paramref name="aborted"/> fires or <paramref name="deadline"/> (a <see cref="Stopwatch"/>
    /// timestamp, 0 for none) passes before a runner reaches it.
    /// </summary>
    public Task<InferResult> InferAsync(
        InputTensor[] inputs, bool[] outputs, bool[]? binaryOutputs = null, long deadline = 0, CancellationToken aborted = default)
    {
        var work = new InferWork(inputs, outputs, binaryOutputs, deadline, aborted);
        _batcher.Enqueue(work);
        return work.Result;
    }

    internal bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _ = DisposeAsync();
        }
    }

    private async Task DisposeAsync()
    {
        await _batcher.DisposeAsync();
        Session.Dispose();
    }
}
