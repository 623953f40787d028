namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>How a replica's GPU is chosen among devices with the same number of replicas.</summary>
public enum GpuPlacementMode
{
    /// <summary>The lowest device index: replicas go round the devices in turn.</summary>
    RoundRobin,

    /// <summary>The device with the most free memory.</summary>
    FreeMemory,
}
