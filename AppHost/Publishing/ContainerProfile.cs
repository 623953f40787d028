using k8s.Models;

namespace BenchPlatform.AppHost.Publishing;

/// <summary>
/// What the cluster needs to know about a project that the topology does not say: its role, its Dockerfile,
/// the resources one replica asks for, and how long it may take to start. Keyed by the project's file name.
/// </summary>
public sealed record ContainerProfile(
    ProjectRole Role,
    string Dockerfile,
    string CpuRequest,
    string MemoryRequest,
    string CpuLimit,
    string MemoryLimit,
    int StartupSeconds)
{
    /// <summary>The profile of a project this table does not know: an internal service.</summary>
    public static ContainerProfile Default { get; } = new(ProjectRole.Service, "", "250m", "256Mi", "1", "1Gi", 60);

    /// <summary>The profiles of this solution's projects, by project file name without extension.</summary>
    public static IReadOnlyDictionary<string, ContainerProfile> Known { get; } = new Dictionary<string, ContainerProfile>(StringComparer.Ordinal)
    {
        ["Gateway"] = new(ProjectRole.Gateway, "deploy/docker/Gateway.Dockerfile", "500m", "256Mi", "2", "1Gi", 60),
        ["InferenceWorker.Gpu"] = new(ProjectRole.Worker, "deploy/docker/InferenceWorker.Gpu.Dockerfile", "2", "4Gi", "4", "8Gi", 300),
        ["SandboxRunner"] = new(ProjectRole.Sandbox, "deploy/docker/SandboxRunner.Dockerfile", "500m", "512Mi", "2", "4Gi", 60),
    };

    /// <summary>Requests and limits of one replica, plus one GPU when <paramref name="gpu"/>.</summary>
    public V1ResourceRequirements Resources(bool gpu)
    {
        var limits = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
        {
            ["cpu"] = new(CpuLimit),
            ["memory"] = new(MemoryLimit),
        };
        if (gpu)
        {
            limits[KubernetesNames.GpuResource] = new("1");
        }

        return new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
            {
                ["cpu"] = new(CpuRequest),
                ["memory"] = new(MemoryRequest),
            },
            Limits = limits,
        };
    }
}
