using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;

namespace BenchPlatform.InferenceWorker.Llm.Gguf;

/// <summary>
/// A GGUF model on llama.cpp (through LLamaSharp), driven by the same continuous-batching loop as the ONNX models:
/// one context with a unified KV cache, a llama.cpp sequence id per admitted sequence, one <c>llama_decode</c> per step
/// over every active sequence's new tokens (logits only at each row's last token). Sequences join and leave between
/// steps; a leaving sequence's positions are removed from the KV cache and its id reused.
/// </summary>
internal sealed class LlamaDecoder : IBatchDecoder
{
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly LLamaBatch _batch = new();
    private readonly Stack<int> _freeIds = new();
    private int[] _logitIndex = new int[16];

    private LlamaDecoder(LLamaWeights weights, LLamaContext context, int sequences)
    {
        _weights = weights;
        _context = context;
        for (var id = sequences - 1; id >= 0; id--)
        {
            _freeIds.Push(id);
        }

        VocabSize = weights.Vocab.Count;
        Tokenizer = new GgufTokenizer(weights);
        ContextTokens = (int)context.ContextSize;
    }

    public int VocabSize { get; }

    public int Layers { get; private init; }

    public string EngineName => "llama.cpp";

    public long ReusedSteps => 0;

    /// <summary>The model's own tokenizer (its GGUF vocabulary).</summary>
    public GgufTokenizer Tokenizer { get; }

    /// <summary>The positions the shared KV cache holds, over all sequences.</summary>
    public int ContextTokens { get; }

    /// <summary>
    /// Loads <paramref name="path"/> on the CPU for up to <paramref name="sequences"/> sequences sharing
    /// <paramref name="kvTokens"/> KV positions; throws <see cref="InvalidDataException"/> when llama.cpp cannot load it.
    /// Each sequence gets its own KV stream (not llama.cpp's unified cache, where every token would attend over every
    /// sequence's cells under a mask: a batch of 32 then ran no faster than 32 sequential steps) of
    /// min(trained context, <paramref name="kvTokens"/> / <paramref name="sequences"/>) positions.
    /// </summary>
    public static LlamaDecoder Load(string path, GgufHeader header, int sequences, int kvTokens, int threads)
    {
        LlamaNativeLog.EnsureRouted();
        var parameters = new ModelParams(path)
        {
            GpuLayerCount = 0,
            Threads = threads > 0 ? threads : Math.Max(1, Environment.ProcessorCount),
            BatchThreads = threads > 0 ? threads : Math.Max(1, Environment.ProcessorCount),
        };
        LLamaWeights weights;
        try
        {
            weights = LLamaWeights.LoadFromFile(parameters);
        }
        catch (LoadWeightsFailedException e)
        {
            throw new InvalidDataException(
                $"llama.cpp cannot load this GGUF (architecture '{header.Architecture}'): it is not an architecture this llama.cpp build supports, or its tensors do not match it; convert the model with a current llama.cpp.", e);
        }

        try
        {
            var perSequence = Math.Max(1, Math.Min(weights.ContextSize, kvTokens / Math.Max(1, sequences)));
            parameters.ContextSize = (uint)(perSequence * sequences);
            parameters.BatchSize = (uint)(perSequence * sequences);
            parameters.UBatchSize = 512;
            parameters.SeqMax = (uint)sequences;
            parameters.KVUnified = false;

            // F32 keys and values and no flash attention (on the CPU it rounds through F16), as the ONNX path computes:
            // the same model gives the same tokens in both engines.
            parameters.TypeK = GGMLType.GGML_TYPE_F32;
            parameters.TypeV = GGMLType.GGML_TYPE_F32;
            parameters.FlashAttention = false;
            var context = weights.CreateContext(parameters);
            var layers = 0;
            if (weights.Metadata.TryGetValue($"{header.Architecture}.block_count", out var blocks))
            {
                int.TryParse(blocks, System.Globalization.CultureInfo.InvariantCulture, out layers);
            }

            return new LlamaDecoder(weights, context, sequences) { Layers = layers, SequenceContext = perSequence };
        }
        catch (Exception e) when (e is RuntimeError or InvalidOperationException)
        {
            weights.Dispose();
            throw new InvalidDataException($"llama.cpp loaded the GGUF but could not create a context for {sequences} sequences of {kvTokens / Math.Max(1, sequences)} positions: {e.Message}", e);
        }
    }

    /// <summary>The positions one sequence may use: the trained context, or less when the KV budget is shared by many.</summary>
    public int SequenceContext { get; private init; }

    /// <summary>The model's training context (<c>{arch}.context_length</c>).</summary>
    public int TrainedContext => _weights.ContextSize;

    public SequenceCache CreateCache(int capacity)
    {
        if (!_freeIds.TryPop(out var id))
        {
            throw new InvalidOperationException("No free llama.cpp sequence id: more sequences admitted than the context was created for.");
        }

        return new LlamaSequence(this, id, capacity);
    }

    public void Step(ReadOnlySpan<StepRow> rows, Span<float> lastLogits)
    {
        if (_logitIndex.Length < rows.Length)
        {
            _logitIndex = new int[Math.Max(rows.Length, _logitIndex.Length * 2)];
        }

        _batch.Clear();
        for (var b = 0; b < rows.Length; b++)
        {
            var row = rows[b];
            var sequence = (LLamaSeqId)((LlamaSequence)row.Cache).Id;
            var start = row.Cache.Length;
            for (var j = 0; j < row.Count; j++)
            {
                var index = _batch.Add(row.Tokens[row.Start + j], start + j, sequence, j == row.Count - 1);
                if (j == row.Count - 1)
                {
                    _logitIndex[b] = index;
                }
            }
        }

        var result = _context.NativeHandle.Decode(_batch);
        if (result != DecodeResult.Ok)
        {
            throw new InvalidOperationException($"llama_decode failed: {result} ({_batch.TokenCount} tokens in {rows.Length} sequences).");
        }

        for (var b = 0; b < rows.Length; b++)
        {
            _context.NativeHandle.GetLogitsIth(_logitIndex[b]).CopyTo(lastLogits.Slice(b * VocabSize, VocabSize));
            rows[b].Cache.Length += rows[b].Count;
        }
    }

    public void Idle()
    {
    }

    // Called on the generation loop's thread when a sequence leaves.
    private void Free(int id)
    {
        _context.NativeHandle.MemorySequenceRemove((LLamaSeqId)id, -1, -1);
        _freeIds.Push(id);
    }

    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
    }

    private sealed class LlamaSequence(LlamaDecoder owner, int id, int capacity) : SequenceCache(capacity)
    {
        public int Id => id;

        protected override void Free() => owner.Free(id);
    }
}
