using System.Text.Json.Serialization;
using BenchPlatform.InferenceWorker.Llm;
using BenchPlatform.InferenceWorker.Management;
using BenchPlatform.InferenceWorker.Predict;

namespace BenchPlatform.InferenceWorker;

/// <summary>Source-generated JSON for the worker's API responses (snake_case, as docs/api.md spells them).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ModelResponse))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(WarmupResponse))]
[JsonSerializable(typeof(ReadyResponse))]
[JsonSerializable(typeof(ModelReadyResponse))]
[JsonSerializable(typeof(ModelMetadataResponse))]
[JsonSerializable(typeof(LlmUploadResponse))]
[JsonSerializable(typeof(LlmStatsResponse))]
internal sealed partial class InferenceJson : JsonSerializerContext;
