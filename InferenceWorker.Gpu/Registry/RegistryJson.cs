using System.Text.Json.Serialization;

namespace BenchPlatform.InferenceWorker.Registry;

/// <summary>Source-generated JSON for the signature columns.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IReadOnlyList<TensorSpec>))]
internal sealed partial class RegistryJson : JsonSerializerContext;
