using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// An ONNX decoder in the Optimum / ONNX Runtime GenAI layout, run for a batch of sequences with per-sequence
/// KV caches: each step gathers the caches into one left-padded <c>past_key_values</c> tensor, masks the padding
/// through <c>attention_mask</c>, and scatters the new positions of <c>present</c> back into the caches.
/// </summary>
internal sealed class DecoderSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _hasPositionIds;

    public DecoderSession(string modelPath, int intraOpThreads)
    {
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (intraOpThreads > 0)
        {
            options.IntraOpNumThreads = intraOpThreads;
        }

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

    public KvCache CreateCache(int capacity) => new(Layers, KvHeads, HeadDim, capacity);

    /// <summary>
    /// Runs one step for every row, appends the rows' new positions to their caches, and writes each row's
    /// last-position logits to <paramref name="lastLogits"/> (<c>[rows, vocab]</c>).
    /// </summary>
    public void Forward(ReadOnlySpan<StepRow> rows, Span<float> lastLogits)
    {
        var batch = rows.Length;
        int step = 0, past = 0;
        foreach (var row in rows)
        {
            step = Math.Max(step, row.Count);
            past = Math.Max(past, row.Cache.Length);
        }

        var total = past + step;
        var ids = ArrayPool<long>.Shared.Rent(batch * step);
        var positions = ArrayPool<long>.Shared.Rent(batch * step);
        var mask = ArrayPool<long>.Shared.Rent(batch * total);
        var kvSize = batch * KvHeads * past * HeadDim;
        var pastBuffers = new float[2 * Layers][];
        try
        {
            Array.Clear(ids, 0, batch * step);
            Array.Clear(positions, 0, batch * step);
            Array.Clear(mask, 0, batch * total);
            for (var b = 0; b < batch; b++)
            {
                var row = rows[b];
                var length = row.Cache.Length;
                mask.AsSpan(b * total + past - length, length).Fill(1);
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
                pastBuffers[2 * l] = GatherPast(rows, past, kvSize, l, keys: true);
                pastBuffers[2 * l + 1] = GatherPast(rows, past, kvSize, l, keys: false);
            }

            var memory = OrtMemoryInfo.DefaultInstance;
            var inputs = new OrtValue[_inputNames.Length];
            var n = 0;
            inputs[n++] = OrtValue.CreateTensorValueFromMemory(memory, ids.AsMemory(0, batch * step), [batch, step]);
            inputs[n++] = OrtValue.CreateTensorValueFromMemory(memory, mask.AsMemory(0, batch * total), [batch, total]);
            if (_hasPositionIds)
            {
                inputs[n++] = OrtValue.CreateTensorValueFromMemory(memory, positions.AsMemory(0, batch * step), [batch, step]);
            }

            foreach (var buffer in pastBuffers)
            {
                inputs[n++] = OrtValue.CreateTensorValueFromMemory(memory, buffer.AsMemory(0, kvSize), [batch, KvHeads, past, HeadDim]);
            }

            try
            {
                using var runOptions = new RunOptions();
                using var outputs = _session.Run(runOptions, _inputNames, inputs, _outputNames);
                var logits = outputs[0].GetTensorDataAsSpan<float>();
                for (var b = 0; b < batch; b++)
                {
                    logits.Slice((b * step + step - 1) * VocabSize, VocabSize).CopyTo(lastLogits.Slice(b * VocabSize, VocabSize));
                }

                for (var l = 0; l < Layers; l++)
                {
                    ScatterPresent(rows, outputs[1 + 2 * l].GetTensorDataAsSpan<float>(), total, l, keys: true);
                    ScatterPresent(rows, outputs[2 + 2 * l].GetTensorDataAsSpan<float>(), total, l, keys: false);
                }
            }
            finally
            {
                foreach (var input in inputs)
                {
                    input?.Dispose();
                }
            }

            foreach (var row in rows)
            {
                row.Cache.Length += row.Count;
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<long>.Shared.Return(positions);
            ArrayPool<long>.Shared.Return(mask);
            foreach (var buffer in pastBuffers)
            {
                if (buffer is not null)
                {
                    ArrayPool<float>.Shared.Return(buffer);
                }
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
            var cache = rows[b].Cache;
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
            var cache = row.Cache;
            var target = keys ? cache.Keys(layer) : cache.Values(layer);
            for (var h = 0; h < KvHeads; h++)
            {
                present.Slice(((b * KvHeads + h) * total + total - row.Count) * HeadDim, row.Count * HeadDim)
                    .CopyTo(target.AsSpan((h * cache.Capacity + cache.Length) * HeadDim));
            }
        }
    }

    public void Dispose() => _session.Dispose();
}
