namespace BenchPlatform.InferenceWorker.Llm.Proof;

/// <summary>The proof Llama's vocabulary style.</summary>
public enum TinyLlamaTokenizer
{
    /// <summary>GPT-2 / Llama 3 / Qwen style byte-level BPE (GGUF <c>gpt2</c>; tokenizer.json ByteLevel).</summary>
    ByteLevelBpe,

    /// <summary>Llama 2 / TinyLlama / Mistral style SentencePiece BPE with byte fallback (GGUF <c>llama</c>; tokenizer.json with <c>▁</c> and <c>byte_fallback</c>).</summary>
    SentencePiece,
}
