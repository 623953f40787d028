namespace BenchPlatform.AppHost.Publishing;

/// <summary>What scales an autoscaled project on Kubernetes.</summary>
public enum AutoscalerKind
{
    /// <summary>A HorizontalPodAutoscaler (autoscaling/v2) on the gateway's in-flight metric, through the Prometheus adapter.</summary>
    Hpa,

    /// <summary>A KEDA ScaledObject with a Prometheus trigger, which can scale to zero.</summary>
    Keda,

    /// <summary>No autoscaler: the Deployment keeps the policy's minimum.</summary>
    None,
}
