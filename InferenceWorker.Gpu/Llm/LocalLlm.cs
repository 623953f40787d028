using BenchPlatform.InferenceWorker.Llm.Templates;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>A model loaded in this process (an ONNX folder or a GGUF file): tokenizer, configuration, chat template and its generation loop.</summary>
internal sealed class LocalLlm(string name, string directory, LlmTokenizer tokenizer, LlmModelConfig config, GenerationEngine engine, long created, ChatTemplate? template = null) : IDisposable
{
    public string Name => name;

    public string Directory => directory;

    public LlmTokenizer Tokenizer => tokenizer;

    public LlmModelConfig Config => config;

    public GenerationEngine Engine => engine;

    /// <summary>The model's chat template, when it has one.</summary>
    public ChatTemplate? Template => template;

    public long Created => created;

    public void Dispose() => engine.Dispose();
}
