using System.Text.Json.Serialization;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>The 201 answer to <c>POST /v1/llm/models?name=</c>: the model as loaded; <c>registered</c> false when the registry was unreachable.</summary>
public sealed record LlmUploadResponse(
    string Id,
    string Object,
    string Kind,
    string Engine,
    [property: JsonPropertyName("context_length")] int ContextLength,
    [property: JsonPropertyName("vocab_size")] int VocabSize,
    int Layers,
    bool Registered);
