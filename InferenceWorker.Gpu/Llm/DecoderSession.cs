using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// An ONNX decoder in the Optimum / ONNX Runtime GenAI layout, run for a batch of sequences with per-sequence
/// KV caches: a step gathers the caches into one left-padded <c>past_key_values</c> tensor (or, for the same rows as
/// the step before, reads that step's <c>present</c> kept in a <see cref="ResidentPast"/>), masks the padding through
/// <c>attention_mask</c>, has ONNX Runtime write logits and <c>present</c> into pooled buffers, and copies the new
/// positions of <c>present</c> back into the caches.
/// </summary>
internal sealed class DecoderSession : IBatchDecoder
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _hasPositionIds;
    private readonly RunOptions _runOptions = new();
    private readonly bool _hasCacheBranch;
    private ResidentPast? _resident;
    private static readonly bool[] UseCache = [true];
    private static readonly bool[] NoCache = [false];

    public DecoderSession(string modelPath, int intraOpThreads)
    {
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (intraOpThreads > 0)
        {
            options.IntraOpNumThreads = intraOpThreads;
        }

        // As the inference sessions do by default (Inference:AllowSpinning): an intra-op thread spinning between steps
        // takes a core from the server threads that stream the tokens.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");

        _session = new InferenceSession(modelPath, options);
        var inputs = _session.InputMetadata;
        foreach (var required in (ReadOnlySpan<string>)["input_ids", "attention_mask", "past_key_values.0.key"])
        {
            if (!inputs.ContainsKey(required))
            {
                throw new InvalidDataException(
                    $"{modelPath} is not a decoder with a KV cache: input '{required}' is missing (expected input_ids, attention_mask, past_key_values.{{i}}.key/value).");
            }
        }

        _hasPositionIds = inputs.ContainsKey("position_ids");

        // Optimum's decoder_model_merged.onnx picks its branch by this input: true when past_key_values hold a past.
        _hasCacheBranch = inputs.ContainsKey("use_cache_branch");
        while (inputs.ContainsKey($"past_key_values.{Layers}.key"))
        {
            Layers++;
        }

        var past = inputs["past_key_values.0.key"];
        if (past.ElementDataType != TensorElementType.Float)
        {
            throw new InvalidDataException($"{modelPath}: KV cache element type {past.ElementDataType} is not supported; export the model in float32.");
        }

        KvHeads = past.Dimensions[1];
        HeadDim = past.Dimensions[3];
        if (KvHeads <= 0 || HeadDim <= 0)
        {
            throw new InvalidDataException($"{modelPath}: past_key_values.0.key must have static kv_heads and head_dim dimensions.");
        }

        var logits = _session.OutputMetadata["logits"];
        VocabSize = logits.Dimensions[^1];
        var names = new List<string> { "input_ids", "attention_mask" };
        if (_hasPositionIds)
        {
            names.Add("position_ids");
        }

        if (_hasCacheBranch)
        {
            names.Add("use_cache_branch");
        }

        var outputs = new List<string> { "logits" };
        for (var l = 0; l < Layers; l++)
        {
            names.Add($"past_key_values.{l}.key");
            names.Add($"past_key_values.{l}.value");
            outputs.Add($"present.{l}.key");
            outputs.Add($"present.{l}.value");
        }

        _inputNames = [.. names];
        _outputNames = [.. outputs];
    }

    public int Layers { get; }

    public int KvHeads { get; }

    public int HeadDim { get; }

    public int VocabSize { get; }

    public string EngineName => "onnxruntime";

    public long ReusedSteps => _resident?.Reused ?? 0;

    public KvCache CreateCache(int capacity) => new(Layers, KvHeads, HeadDim, capacity);

    SequenceCache IBatchDecoder.CreateCache(int capacity) => CreateCache(capacity);

    /// <summary>A step through the session's own <see cref="ResidentPast"/>.</summary>
    public void Step(ReadOnlySpan<StepRow> rows, Span<float> lastLogits) => Forward(rows, lastLogits, _resident ??= new ResidentPast());

    public void Idle() => _resident?.Release();

    /// <summary>
    /// Runs one step for every row, appends the rows' new positions to their caches, and writes each row's
    /// last-position logits to <paramref name="lastLogits"/> (<c>[rows, vocab]</c>). With <paramref name="resident"/>,
    /// the step's <c>present</c> stays there and the next step of the same rows reads it as its past, skipping the gather.
    /// </summary>
    public void Forward(ReadOnlySpan<StepRow> rows, Span<float> lastLogits, ResidentPast? resident = null)
    {
        var batch = rows.Length;
        var reuse = resident is not null && resident.Matches(rows);
        int step = 0, past = 0;
        foreach (var row in rows)
        {
            step = Math.Max(step, row.Count);
            past = Math.Max(past, row.Cache.Length);
        }

        past = reuse ? resident!.Total : past;
        var total = past + step;
        var ids = ArrayPool<long>.Shared.Rent(batch * step);
        var positions = ArrayPool<long>.Shared.Rent(batch * step);
        var mask = ArrayPool<long>.Shared.Rent(batch * total);
        var logits = ArrayPool<float>.Shared.Rent(batch * step * VocabSize);
        var pastSize = batch * KvHeads * past * HeadDim;
        var presentSize = batch * KvHeads * total * HeadDim;
        var pastBuffers = reuse ? resident!.Buffers! : new float[2 * Layers][];
        var presentBuffers = new float[2 * Layers][];
        var kept = false;
        try
        {
            Array.Clear(ids, 0, batch * step);
            Array.Clear(positions, 0, batch * step);
            Array.Clear(mask, 0, batch * total);
            for (var b = 0; b < batch; b++)
            {
                var row = rows[b];
                var length = row.Cache.Length;
                if (reuse)
                {
                    resident!.Mask.AsSpan(b * past, past).CopyTo(mask.AsSpan(b * total));
                }
                else
                {
                    mask.AsSpan(b * total + past - length, length).Fill(1);
                }

                mask.AsSpan(b * total + total - row.Count, row.Count).Fill(1);
                for (var j = 0; j < row.Count; j++)
                {
                    var at = b * step + step - row.Count + j;
                    ids[at] = row.Tokens[row.Start + j];
                    positions[at] = length + j;
                }
            }

            for (var l = 0; l < Layers; l++)
            {
                if (!reuse)
                {
                    pastBuffers[2 * l] = GatherPast(rows, past, pastSize, l, keys: true);
                    pastBuffers[2 * l + 1] = GatherPast(rows, past, pastSize, l, keys: false);
                }

                presentBuffers[2 * l] = ArrayPool<float>.Shared.Rent(presentSize);
                presentBuffers[2 * l + 1] = ArrayPool<float>.Shared.Rent(presentSize);
            }

            Run(batch, step, past, ids, mask, positions, pastBuffers, logits, presentBuffers);
            for (var b = 0; b < batch; b++)
            {
                logits.AsSpan((b * step + step - 1) * VocabSize, VocabSize).CopyTo(lastLogits.Slice(b * VocabSize, VocabSize));
            }

            for (var l = 0; l < Layers; l++)
            {
                ScatterPresent(rows, presentBuffers[2 * l], total, l, keys: true);
                ScatterPresent(rows, presentBuffers[2 * l + 1], total, l, keys: false);
            }

            foreach (var row in rows)
            {
                row.Cache.Length += row.Count;
            }

            if (resident is not null)
            {
                // The kept present is the next step's past; the old resident buffers (this step's past) go back to the pool.
                resident.Keep(rows, presentBuffers, mask, total);
                kept = true;
                if (reuse)
                {
                    resident.Reused++;
                }
                else
                {
                    resident.Gathered++;
                }
            }
        }
        catch
        {
            // The caches may be half-written: never reuse what this step left behind.
            resident?.Release();
            throw;
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<long>.Shared.Return(positions);
            ArrayPool<float>.Shared.Return(logits);
            if (!kept)
            {
                ArrayPool<long>.Shared.Return(mask);
                ReturnAll(presentBuffers);
            }

            if (!reuse)
            {
                ReturnAll(pastBuffers);
            }
        }
    }

    private void Run(int batch, int step, int past, long[] ids, long[] mask, long[] positions, float[][] pastBuffers, float[] logits, float[][] presentBuffers)
    {
        var total = past + step;
        var memory = OrtMemoryInfo.DefaultInstance;
        var inputs = new OrtValue[_inputNames.Length];
        var outputs = new OrtValue[_outputNames.Length];
        try
        {
            var n = 0;
            inputs[n++] = OrtValue.CreateTensorValueFromMemory(memory, ids.AsMemory(0, batch * step), [batch, step]);
            inputs[n++] = OrtValue.CreateTensorValueFromMemory(memory, mask.AsMemory(0, batch * total), [batch, total]);
            if (_hasPositionIds)
            {
                inputs[n++] = OrtValue.CreateTensorValueFromMemory(memory, positions.AsMemory(0, batch * step), [batch, step]);
            }

            if (_hasCacheBranch)
            {
                inputs[n++] = OrtValue.CreateTensorValueFromMemory<bool>(memory, past > 0 ? UseCache : NoCache, [1]);
            }

            var pastSize = batch * KvHeads * past * HeadDim;
            foreach (var buffer in pastBuffers)
            {
                inputs[n++] = OrtValue.CreateTensorValueFromMemory(memory, buffer.AsMemory(0, pastSize), [batch, KvHeads, past, HeadDim]);
            }

            // Outputs land in buffers we own: no allocation by ONNX Runtime, and present can become the next past.
            outputs[0] = OrtValue.CreateTensorValueFromMemory(memory, logits.AsMemory(0, batch * step * VocabSize), [batch, step, VocabSize]);
            var presentSize = batch * KvHeads * total * HeadDim;
            for (var i = 0; i < presentBuffers.Length; i++)
            {
                outputs[1 + i] = OrtValue.CreateTensorValueFromMemory(memory, presentBuffers[i].AsMemory(0, presentSize), [batch, KvHeads, total, HeadDim]);
            }

            _session.Run(_runOptions, _inputNames, inputs, _outputNames, outputs);
        }
        finally
        {
            foreach (var value in inputs)
            {
                value?.Dispose();
            }

            foreach (var value in outputs)
            {
                value?.Dispose();
            }
        }
    }

    private static void ReturnAll(float[][] buffers)
    {
        foreach (var buffer in buffers)
        {
            if (buffer is not null)
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }
    }

    private float[] GatherPast(ReadOnlySpan<StepRow> rows, int past, int size, int layer, bool keys)
    {
        // Rent at least one element: a zero-length past still needs a pinnable buffer.
        var buffer = ArrayPool<float>.Shared.Rent(Math.Max(1, size));
        var span = buffer.AsSpan(0, size);
        for (var b = 0; b < rows.Length; b++)
        {
            var cache = (KvCache)rows[b].Cache;
            var source = keys ? cache.Keys(layer) : cache.Values(layer);
            var length = cache.Length;
            for (var h = 0; h < KvHeads; h++)
            {
                // Left padding (masked out, but zeroed so no stale values reach the matmuls), then the cache.
                var row = span.Slice((b * KvHeads + h) * past * HeadDim, past * HeadDim);
                row[..((past - length) * HeadDim)].Clear();
                source.AsSpan(h * cache.Capacity * HeadDim, length * HeadDim).CopyTo(row[((past - length) * HeadDim)..]);
            }
        }

        return buffer;
    }

    private void ScatterPresent(ReadOnlySpan<StepRow> rows, ReadOnlySpan<float> present, int total, int layer, bool keys)
    {
        for (var b = 0; b < rows.Length; b++)
        {
            var row = rows[b];
            var cache = (KvCache)row.Cache;
            var target = keys ? cache.Keys(layer) : cache.Values(layer);
            for (var h = 0; h < KvHeads; h++)
            {
                present.Slice(((b * KvHeads + h) * total + total - row.Count) * HeadDim, row.Count * HeadDim)
                    .CopyTo(target.AsSpan((h * cache.Capacity + cache.Length) * HeadDim));
            }
        }
    }

    public void Dispose()
    {
        _resident?.Dispose();
        _session.Dispose();
        _runOptions.Dispose();
    }
}
