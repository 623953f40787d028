namespace BenchPlatform.AppHost.Publishing;

/// <summary>What <c>publish</c> was asked for: where to write, which images, and the cluster-specific choices.</summary>
public sealed record PublishOptions
{
    /// <summary>The folder the manifests are written to (created when missing).</summary>
    public required string OutputFolder { get; init; }

    /// <summary>The namespace every object lives in.</summary>
    public string Namespace { get; init; } = "benchplatform";

    /// <summary>The image registry and path prefix, e.g. <c>ghcr.io/acme</c>; images are <c>{registry}/benchplatform-{name}:{tag}</c>.</summary>
    public string Registry { get; init; } = "localhost:5000";

    /// <summary>The image tag.</summary>
    public string Tag { get; init; } = "latest";

    /// <summary>What scales the autoscaled projects.</summary>
    public AutoscalerKind Autoscaler { get; init; } = AutoscalerKind.Hpa;

    /// <summary>Whether GPU-capable projects ask for <c>nvidia.com/gpu: 1</c> and run the CUDA image.</summary>
    public bool Gpu { get; init; } = true;

    /// <summary>Node labels GPU pods must match (empty: any node with a free GPU).</summary>
    public IReadOnlyDictionary<string, string> GpuNodeSelector { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Taints GPU pods tolerate, as <c>key[=value][:Effect]</c>; the default is the usual GPU node-pool taint.</summary>
    public IReadOnlyList<string> GpuTolerations { get; init; } = ["nvidia.com/gpu:NoSchedule"];

    /// <summary>The RuntimeClass of the sandbox pod (e.g. <c>gvisor</c>); null runs it under the cluster's default runtime.</summary>
    public string? SandboxRuntimeClass { get; init; } = "gvisor";

    /// <summary>Connection strings of resources that live outside the cluster, by resource name (no StatefulSet is written for them).</summary>
    public IReadOnlyDictionary<string, string> External { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The StorageClass of the PersistentVolumeClaims; null uses the cluster default.</summary>
    public string? StorageClass { get; init; }

    /// <summary>The StorageClass of the shared ReadWriteMany volume (blobs, optimized-model cache); null uses the cluster default.</summary>
    public string? SharedStorageClass { get; init; }

    /// <summary>How the gateway's Service is exposed: <c>LoadBalancer</c>, <c>NodePort</c> or <c>ClusterIP</c>.</summary>
    public string GatewayServiceType { get; init; } = "LoadBalancer";

    /// <summary>Gateway replicas (the PodDisruptionBudget keeps one up during node drains).</summary>
    public int GatewayReplicas { get; init; } = 2;

    /// <summary>The OTLP endpoint every service exports to (the gateway's metrics reach Prometheus through it); null exports nothing.</summary>
    public string? OtlpEndpoint { get; init; } = "http://otel-collector.monitoring.svc.cluster.local:4317";

    /// <summary>The Prometheus the KEDA trigger queries.</summary>
    public string PrometheusUrl { get; init; } = "http://prometheus-server.monitoring.svc.cluster.local";
}
