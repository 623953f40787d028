namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>An LLM served by an OpenAI-compatible engine elsewhere, proxied under this name.</summary>
internal sealed record UpstreamLlm(string Name, Uri BaseUrl, string Model, string? ApiKey, long Created);
