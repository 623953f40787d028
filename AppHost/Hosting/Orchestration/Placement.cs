using System.Globalization;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>
/// Where an autoscaled replica runs: on a GPU machine each replica gets one device through
/// <c>CUDA_VISIBLE_DEVICES</c> (the least-used device, then the most free memory, at most
/// <see cref="AppHostOptions.ReplicasPerGpu"/> per device); on a CPU-only machine the cores are shared out
/// through <c>Inference__IntraOpThreads</c>.
/// </summary>
internal sealed class Placement(IGpuInventory inventory, int cores, AppHostOptions options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _assigned = new(StringComparer.Ordinal);
    private IReadOnlyList<GpuDevice>? _gpus;

    public IReadOnlyList<GpuDevice> Gpus
    {
        get
        {
            lock (_lock)
            {
                return _gpus ??= inventory.Detect();
            }
        }
    }

    /// <summary>
    /// The most replicas of one autoscaled project the machine can give capacity to: <see cref="AppHostOptions.ReplicasPerGpu"/>
    /// per GPU, else <see cref="AppHostOptions.MaxCpuReplicas"/> (by default one per core).
    /// </summary>
    public int Capacity => Gpus.Count > 0
        ? Gpus.Count * Math.Max(1, options.ReplicasPerGpu)
        : options.MaxCpuReplicas > 0 ? options.MaxCpuReplicas : Math.Max(1, cores);

    /// <summary>The variables that place <paramref name="replica"/>; nothing for projects that are not autoscaled.</summary>
    public IEnumerable<KeyValuePair<string, string>> EnvironmentFor(ProjectRunner runner, Replica replica)
    {
        if (runner.Resource.Autoscale is null)
        {
            yield break;
        }

        if (Assign(replica.Id) is { } device)
        {
            yield return new("CUDA_VISIBLE_DEVICES", device.ToString(CultureInfo.InvariantCulture));
            yield break;
        }

        var share = Math.Max(1, cores / Math.Max(1, runner.Desired));
        yield return new("Inference__IntraOpThreads", share.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The device given to <paramref name="replicaId"/> (kept across its restarts), or null on a CPU-only machine.</summary>
    public int? Assign(string replicaId)
    {
        var gpus = Gpus;
        if (gpus.Count == 0)
        {
            return null;
        }

        lock (_lock)
        {
            if (_assigned.TryGetValue(replicaId, out var existing))
            {
                return existing;
            }

            var perGpu = Math.Max(1, options.ReplicasPerGpu);
            var choice = gpus
                .Select(g => (Gpu: g, Used: _assigned.Values.Count(d => d == g.Index)))
                .Where(c => c.Used < perGpu)
                .OrderBy(c => c.Used)
                .ThenByDescending(c => options.GpuPlacement == GpuPlacementMode.FreeMemory ? c.Gpu.MemoryFreeMiB : 0)
                .ThenBy(c => c.Gpu.Index)
                .Select(c => (int?)c.Gpu.Index)
                .FirstOrDefault()
                ?? throw new InvalidOperationException($"No GPU has room for {replicaId}: {gpus.Count} GPU(s) × {perGpu} replica(s) each are taken.");
            _assigned[replicaId] = choice;
            return choice;
        }
    }

    /// <summary>Frees the device of a stopped replica.</summary>
    public void Release(string replicaId)
    {
        lock (_lock)
        {
            _assigned.Remove(replicaId);
        }
    }
}
