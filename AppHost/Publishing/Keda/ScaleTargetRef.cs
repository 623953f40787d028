using System.Text.Json.Serialization;

namespace BenchPlatform.AppHost.Publishing.Keda;

/// <summary>The workload a <see cref="ScaledObject"/> scales.</summary>
public sealed class ScaleTargetRef
{
    /// <summary>The API version of the workload.</summary>
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }

    /// <summary>The kind of the workload.</summary>
    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    /// <summary>The name of the workload.</summary>
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";
}
