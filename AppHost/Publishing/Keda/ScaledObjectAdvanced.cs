using System.Text.Json.Serialization;

namespace BenchPlatform.AppHost.Publishing.Keda;

/// <summary>The <c>advanced</c> block of a <see cref="ScaledObjectSpec"/>: the behavior of KEDA's HorizontalPodAutoscaler.</summary>
public sealed class ScaledObjectAdvanced
{
    /// <summary>The HorizontalPodAutoscaler settings.</summary>
    [JsonPropertyName("horizontalPodAutoscalerConfig")]
    public HorizontalPodAutoscalerConfig HorizontalPodAutoscalerConfig { get; set; } = new();
}
