namespace BenchPlatform.AppHost.Publishing;

/// <summary>How a project is deployed beyond what the topology says: what it is to the cluster.</summary>
public enum ProjectRole
{
    /// <summary>An internal HTTP service.</summary>
    Service,

    /// <summary>The public entry point: exposed Service, API keys, PodDisruptionBudget, ingress from anywhere.</summary>
    Gateway,

    /// <summary>A model-serving worker: GPU when available, CUDA image, drained before it stops.</summary>
    Worker,

    /// <summary>The runner of untrusted code: RuntimeClass, restrictive securityContext, no egress beyond its references.</summary>
    Sandbox,
}
