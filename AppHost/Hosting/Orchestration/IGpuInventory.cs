namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>Lists the machine's GPUs; replaced in tests by a fixed inventory.</summary>
public interface IGpuInventory
{
    /// <summary>The GPUs, empty on a CPU-only machine.</summary>
    IReadOnlyList<GpuDevice> Detect();
}
