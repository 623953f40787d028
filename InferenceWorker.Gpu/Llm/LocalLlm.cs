namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>A model folder loaded in this process: tokenizer, configuration and its generation loop.</summary>
internal sealed class LocalLlm(string name, string directory, LlmTokenizer tokenizer, LlmModelConfig config, GenerationEngine engine, long created) : IDisposable
{
    public string Name => name;

    public string Directory => directory;

    public LlmTokenizer Tokenizer => tokenizer;

    public LlmModelConfig Config => config;

    public GenerationEngine Engine => engine;

    public long Created => created;

    public void Dispose() => engine.Dispose();
}
