using BenchPlatform.InferenceWorker.Llm;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>A tiny LM written once per test run into a temp folder.</summary>
public sealed class TinyLmFolder : IDisposable
{
    public TinyLmFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tiny-lm-" + Guid.NewGuid().ToString("N"));
        TinyLmBuilder.Write(Path);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
