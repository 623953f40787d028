using k8s.Models;

namespace BenchPlatform.AppHost.Publishing;

/// <summary>The names, labels and ports every published object agrees on.</summary>
public static class KubernetesNames
{
    /// <summary>The label that names a resource's pods (and selects them).</summary>
    public const string NameLabel = "app.kubernetes.io/name";

    /// <summary>The label every object of the platform carries.</summary>
    public const string PartOfLabel = "app.kubernetes.io/part-of";

    /// <summary>The value of <see cref="PartOfLabel"/>.</summary>
    public const string PartOf = "benchplatform";

    /// <summary>The label saying what a resource is (gateway, worker, sandbox, service, cache, database).</summary>
    public const string ComponentLabel = "app.kubernetes.io/component";

    /// <summary>The label saying what wrote the object.</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    /// <summary>The value of <see cref="ManagedByLabel"/>.</summary>
    public const string ManagedBy = "benchplatform-apphost";

    /// <summary>The extended resource of an NVIDIA GPU (device plugin).</summary>
    public const string GpuResource = "nvidia.com/gpu";

    /// <summary>The port every project container listens on (the .NET images' default).</summary>
    public const int ContainerPort = 8080;

    /// <summary>The named port of every project container and Service.</summary>
    public const string HttpPortName = "http";

    /// <summary>The gauge the gateway exports per cluster (OpenTelemetry <c>gateway.cluster.inflight</c>), as Prometheus names it.</summary>
    public const string InflightMetric = "gateway_cluster_inflight";

    /// <summary>The gauge of requests the gateway holds for a cold cluster (<c>gateway.cluster.waiting</c>).</summary>
    public const string WaitingMetric = "gateway_cluster_waiting";

    /// <summary>The attribute of both gauges that names the cluster (the project's resource name).</summary>
    public const string ClusterMetricLabel = "cluster";

    /// <summary>The Secret holding the per-deployment internal token.</summary>
    public const string InternalTokenSecret = "internal-token";

    /// <summary>The Secret holding the gateway's API keys.</summary>
    public const string ApiKeysSecret = "gateway-api-keys";

    /// <summary>The ReadWriteMany claim shared by the replicas that need <c>Storage__Root</c>.</summary>
    public const string SharedStorageClaim = "shared-storage";

    /// <summary>The selector labels of <paramref name="resourceName"/>'s pods.</summary>
    public static Dictionary<string, string> Selector(string resourceName) => new(StringComparer.Ordinal)
    {
        [NameLabel] = resourceName,
        [PartOfLabel] = PartOf,
    };

    /// <summary>The labels of every object that belongs to <paramref name="resourceName"/>.</summary>
    public static Dictionary<string, string> Labels(string resourceName, string component)
    {
        var labels = Selector(resourceName);
        labels[ComponentLabel] = component;
        labels[ManagedByLabel] = ManagedBy;
        return labels;
    }

    /// <summary>Object metadata in <paramref name="ns"/> with the resource's labels.</summary>
    public static V1ObjectMeta Metadata(string name, string ns, string resourceName, string component) => new()
    {
        Name = name,
        NamespaceProperty = ns,
        Labels = Labels(resourceName, component),
    };
}
