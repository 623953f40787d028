namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>One configured LLM: a local model folder, or an OpenAI-compatible upstream engine.</summary>
public sealed class LlmModelOptions
{
    /// <summary>A folder with <c>model.onnx</c>, tokenizer files and <c>config.json</c>.</summary>
    public string? Path { get; set; }

    /// <summary>An OpenAI-compatible base URL (Ollama, llama.cpp server, vLLM), e.g. <c>http://127.0.0.1:11434/v1</c>.</summary>
    public string? Upstream { get; set; }

    /// <summary>The model name the upstream knows; defaults to this entry's name.</summary>
    public string? UpstreamModel { get; set; }

    /// <summary>A bearer key sent to the upstream, when it needs one.</summary>
    public string? UpstreamApiKey { get; set; }
}
