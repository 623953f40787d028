namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// A model that the continuous-batching loop drives: one batched forward step over rows of different sequences, each
/// with its own KV positions. <see cref="DecoderSession"/> (ONNX Runtime) and <see cref="Gguf.LlamaDecoder"/> (llama.cpp).
/// </summary>
internal interface IBatchDecoder : IDisposable
{
    /// <summary>Logits per position.</summary>
    int VocabSize { get; }

    /// <summary>Decoder layers (reported on upload).</summary>
    int Layers { get; }

    /// <summary>The engine's name in logs and answers: <c>onnxruntime</c> or <c>llama.cpp</c>.</summary>
    string EngineName { get; }

    /// <summary>Steps that reused the previous step's state without gathering the caches.</summary>
    long ReusedSteps { get; }

    /// <summary>Reserves KV positions for a sequence joining the batch.</summary>
    SequenceCache CreateCache(int capacity);

    /// <summary>
    /// Runs one step for every row, appends the rows' new positions to their caches (advancing <see cref="SequenceCache.Length"/>),
    /// and writes each row's last-position logits to <paramref name="lastLogits"/> (<c>[rows, vocab]</c>).
    /// </summary>
    void Step(ReadOnlySpan<StepRow> rows, Span<float> lastLogits);

    /// <summary>No sequence is active: let go of what is kept between steps.</summary>
    void Idle();
}
