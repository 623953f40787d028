namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>
/// The proof Llama served twice by one LLM host: <c>tl-gguf</c> (the GGUF file, llama.cpp) and <c>tl-onnx</c>
/// (the ONNX folder, ONNX Runtime).
/// </summary>
public sealed class TinyLlamaHostFixture : IAsyncLifetime
{
    public TinyLlamaFiles Files { get; } = new();

    public LlmHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await LlmHost.StartAsync(new Dictionary<string, string?>
    {
        ["Llm:TinyLm"] = "",
        ["Llm:Models:tl-gguf:Path"] = Files.Gguf,
        ["Llm:Models:tl-onnx:Path"] = Files.Onnx,
        ["Llm:StreamIntervalMs"] = "0",
    });

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Files.Dispose();
    }
}
