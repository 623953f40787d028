using BenchPlatform.InferenceWorker.Llm.Proof;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>The proof Llama written once per test class, both vocabulary styles: <c>tiny-llama.gguf</c> and the ONNX folder <c>onnx/</c>, and their SentencePiece twins.</summary>
public sealed class TinyLlamaFiles : IDisposable
{
    public TinyLlamaFiles()
    {
        Root = Path.Combine(Path.GetTempPath(), "tiny-llama-" + Guid.NewGuid().ToString("N"));
        Gguf = Path.Combine(Root, "tiny-llama.gguf");
        Onnx = Path.Combine(Root, "onnx");
        TinyLlamaBuilder.WriteGguf(Gguf);
        TinyLlamaBuilder.WriteOnnx(Onnx);
        SpmGguf = Path.Combine(Root, "tiny-llama-spm.gguf");
        SpmOnnx = Path.Combine(Root, "onnx-spm");
        TinyLlamaBuilder.WriteGguf(SpmGguf, tokenizer: TinyLlamaTokenizer.SentencePiece);
        TinyLlamaBuilder.WriteOnnx(SpmOnnx, tokenizer: TinyLlamaTokenizer.SentencePiece);
    }

    /// <summary>The same weights with the SentencePiece-style vocabulary (GGUF <c>llama</c>, tokenizer.json with byte fallback).</summary>
    public string SpmGguf { get; }

    public string SpmOnnx { get; }

    public (string Gguf, string Onnx) Of(TinyLlamaTokenizer kind) => kind == TinyLlamaTokenizer.SentencePiece ? (SpmGguf, SpmOnnx) : (Gguf, Onnx);

    public string Root { get; }

    public string Gguf { get; }

    public string Onnx { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
