using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace BenchPlatform.AppHost.Publishing.Keda;

/// <summary>KEDA's <c>keda.sh/v1alpha1</c> ScaledObject (a custom resource, so not among the KubernetesClient models).</summary>
public sealed class ScaledObject : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The API group and version.</summary>
    public const string KubeApiVersion = "keda.sh/v1alpha1";

    /// <summary>The kind.</summary>
    public const string KubeKind = "ScaledObject";

    /// <inheritdoc />
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KubeApiVersion;

    /// <inheritdoc />
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    /// <inheritdoc />
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>What is scaled, between which bounds, on which triggers.</summary>
    [JsonPropertyName("spec")]
    public ScaledObjectSpec Spec { get; set; } = new();
}
