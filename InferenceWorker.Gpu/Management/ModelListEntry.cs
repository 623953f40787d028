using System.Text.Json.Serialization;

namespace BenchPlatform.InferenceWorker.Management;

/// <summary>
/// One entry of <c>GET /v1/models</c> in the OpenAI list shape, with BenchPlatform's <c>kind</c> (<c>onnx</c> or <c>llm</c>).
/// </summary>
public sealed record ModelListEntry(string Id, long Created, string Kind)
{
    /// <summary>Always <c>model</c>.</summary>
    public string Object => "model";

    /// <summary>The owner OpenAI clients display.</summary>
    public string OwnedBy => "benchplatform";

    /// <summary>The latest version, for ONNX models.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Version { get; init; }

    /// <summary>The latest version's blob hash, for ONNX models.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Sha256 { get; init; }
}
