using System.Text.Json.Serialization;

namespace BenchPlatform.AppHost.Publishing.Keda;

/// <summary>The spec of a <see cref="ScaledObject"/>.</summary>
public sealed class ScaledObjectSpec
{
    /// <summary>The Deployment scaled.</summary>
    [JsonPropertyName("scaleTargetRef")]
    public ScaleTargetRef ScaleTargetRef { get; set; } = new();

    /// <summary>Seconds between trigger checks.</summary>
    [JsonPropertyName("pollingInterval")]
    public int? PollingInterval { get; set; }

    /// <summary>Seconds after the last active trigger before scaling to <see cref="MinReplicaCount"/> when that is 0.</summary>
    [JsonPropertyName("cooldownPeriod")]
    public int? CooldownPeriod { get; set; }

    /// <summary>The fewest replicas (0 allows scale to zero).</summary>
    [JsonPropertyName("minReplicaCount")]
    public int? MinReplicaCount { get; set; }

    /// <summary>The most replicas.</summary>
    [JsonPropertyName("maxReplicaCount")]
    public int? MaxReplicaCount { get; set; }

    /// <summary>Settings of the HorizontalPodAutoscaler KEDA manages.</summary>
    [JsonPropertyName("advanced")]
    public ScaledObjectAdvanced? Advanced { get; set; }

    /// <summary>The metrics that drive the scale.</summary>
    [JsonPropertyName("triggers")]
    public IList<ScaleTrigger> Triggers { get; set; } = [];
}
