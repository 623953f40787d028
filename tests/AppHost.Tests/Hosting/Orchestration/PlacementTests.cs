using BenchPlatform.AppHost.Hosting;
using BenchPlatform.AppHost.Hosting.Orchestration;

namespace BenchPlatform.AppHost.Tests.Hosting.Orchestration;

public sealed class PlacementTests
{
    private sealed class FixedGpus(params GpuDevice[] devices) : IGpuInventory
    {
        public IReadOnlyList<GpuDevice> Detect() => devices;
    }

    private static readonly GpuDevice[] TwoGpus = [new(0, "A", 16_000, 2_000), new(1, "B", 16_000, 12_000)];

    [Fact]
    public void Assign_RoundRobinTwoPerGpu_AlternatesDevicesUpToCapacity()
    {
        var placement = new Placement(new FixedGpus(TwoGpus), cores: 8, new AppHostOptions { ReplicasPerGpu = 2 });

        var devices = Enumerable.Range(0, 4).Select(i => placement.Assign($"inference-{i}")).ToArray();

        Assert.Equal([0, 1, 0, 1], devices);
        Assert.Equal(4, placement.Capacity);
        var full = Assert.Throws<InvalidOperationException>(() => placement.Assign("inference-4"));
        Assert.Contains("2 GPU(s) × 2 replica(s)", full.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assign_ByFreeMemory_PicksTheDeviceWithMostFreeMemoryFirst()
    {
        var placement = new Placement(new FixedGpus(TwoGpus), cores: 8, new AppHostOptions { GpuPlacement = GpuPlacementMode.FreeMemory });

        Assert.Equal(1, placement.Assign("inference-0"));
        Assert.Equal(0, placement.Assign("inference-1"));
    }

    [Fact]
    public void Assign_SameReplicaAgainOrAfterRelease_KeepsOrFreesItsDevice()
    {
        var placement = new Placement(new FixedGpus(TwoGpus), cores: 8, new AppHostOptions());
        Assert.Equal(0, placement.Assign("inference-0"));
        Assert.Equal(0, placement.Assign("inference-0"));
        Assert.Equal(1, placement.Assign("inference-1"));

        placement.Release("inference-0");

        Assert.Equal(0, placement.Assign("inference-2"));
    }

    [Fact]
    public void Assign_CpuOnlyMachine_GivesNoDeviceAndCapsAtTheCpuLimit()
    {
        var placement = new Placement(new FixedGpus(), cores: 2, new AppHostOptions { MaxCpuReplicas = 3 });

        Assert.Null(placement.Assign("inference-0"));
        Assert.Equal(3, placement.Capacity);
    }

    [Fact]
    public void Capacity_CpuOnlyMachineByDefault_IsOneReplicaPerCore()
    {
        Assert.Equal(2, new Placement(new FixedGpus(), cores: 2, new AppHostOptions()).Capacity);
        Assert.Equal(16, new Placement(new FixedGpus(), cores: 16, new AppHostOptions()).Capacity);
    }

    [Fact]
    public void Parse_NvidiaSmiCsv_ReadsIndexNameAndMemory()
    {
        var devices = NvidiaSmiInventory.Parse("0, NVIDIA H100 80GB HBM3, 81559, 80000\n1, NVIDIA H100 80GB HBM3, 81559, 1024\n");

        Assert.Equal([new GpuDevice(0, "NVIDIA H100 80GB HBM3", 81559, 80000), new GpuDevice(1, "NVIDIA H100 80GB HBM3", 81559, 1024)], devices);
    }
}
