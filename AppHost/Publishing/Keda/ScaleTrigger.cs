using System.Text.Json.Serialization;

namespace BenchPlatform.AppHost.Publishing.Keda;

/// <summary>One KEDA trigger: its scaler type and that scaler's settings.</summary>
public sealed class ScaleTrigger
{
    /// <summary>The scaler, e.g. <c>prometheus</c>.</summary>
    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    /// <summary>The scaler's settings (all strings, as KEDA reads them).</summary>
    [JsonPropertyName("metadata")]
    public IDictionary<string, string> Metadata { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
