namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>One GPU the machine has: its index for <c>CUDA_VISIBLE_DEVICES</c> and its memory in MiB (0 when unknown).</summary>
public sealed record GpuDevice(int Index, string Name, long MemoryTotalMiB, long MemoryFreeMiB);
