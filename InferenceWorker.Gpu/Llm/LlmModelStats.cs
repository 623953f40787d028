using System.Text.Json.Serialization;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>One model's scheduler: sequences generating and waiting, KV positions reserved against the budget, the batch cap, steps run.</summary>
public sealed record LlmModelStats(
    int Active,
    int Waiting,
    [property: JsonPropertyName("kv_tokens_reserved")] long KvTokensReserved,
    [property: JsonPropertyName("kv_budget_tokens")] int KvBudgetTokens,
    [property: JsonPropertyName("max_batch")] int MaxBatch,
    long Steps);
