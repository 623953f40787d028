namespace BenchPlatform.InferenceWorker.Llm;

/// <summary><c>GET /v1/llm/stats</c>: each local model's scheduler state, by model name.</summary>
public sealed record LlmStatsResponse(IReadOnlyDictionary<string, LlmModelStats> Models);
