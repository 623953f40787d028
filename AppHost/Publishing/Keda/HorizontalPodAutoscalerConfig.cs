using System.Text.Json.Serialization;
using k8s.Models;

namespace BenchPlatform.AppHost.Publishing.Keda;

/// <summary>The behavior KEDA copies into the HorizontalPodAutoscaler it manages.</summary>
public sealed class HorizontalPodAutoscalerConfig
{
    /// <summary>Scale-up and scale-down rates and stabilization windows (autoscaling/v2).</summary>
    [JsonPropertyName("behavior")]
    public V2HorizontalPodAutoscalerBehavior? Behavior { get; set; }
}
