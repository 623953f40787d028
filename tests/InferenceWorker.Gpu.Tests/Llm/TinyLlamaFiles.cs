using BenchPlatform.InferenceWorker.Llm.Proof;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>The proof Llama written once per test class: <c>tiny-llama.gguf</c> and the ONNX folder <c>onnx/</c>.</summary>
public sealed class TinyLlamaFiles : IDisposable
{
    public TinyLlamaFiles()
    {
        Root = Path.Combine(Path.GetTempPath(), "tiny-llama-" + Guid.NewGuid().ToString("N"));
        Gguf = Path.Combine(Root, "tiny-llama.gguf");
        Onnx = Path.Combine(Root, "onnx");
        TinyLlamaBuilder.WriteGguf(Gguf);
        TinyLlamaBuilder.WriteOnnx(Onnx);
    }

    public string Root { get; }

    public string Gguf { get; }

    public string Onnx { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
