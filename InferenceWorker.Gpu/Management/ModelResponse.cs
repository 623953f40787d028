using System.Text.Json.Serialization;
using BenchPlatform.InferenceWorker.Registry;

namespace BenchPlatform.InferenceWorker.Management;

/// <summary>A model's metadata as the management API returns it (docs/api.md).</summary>
public sealed record ModelResponse(
    string Name,
    int Version,
    string Sha256,
    long SizeBytes,
    string Kind,
    IReadOnlyList<TensorSpec> Inputs,
    IReadOnlyList<TensorSpec> Outputs,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaxBatchSize,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaxQueueDelayUs)
{
    /// <summary>The response for a registry record.</summary>
    public static ModelResponse From(ModelRecord r) =>
        new(r.Name, r.Version, r.Sha256, r.SizeBytes, "onnx", r.Inputs, r.Outputs, r.CreatedAt, r.MaxBatchSize, r.MaxQueueDelayMicroseconds);
}
