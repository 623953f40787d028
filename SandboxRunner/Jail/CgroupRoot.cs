namespace BenchPlatform.SandboxRunner.Jail;

/// <summary>The runner's own folders under the cgroup v1 memory and pids controllers, or none where they are not writable.</summary>
internal sealed class CgroupRoot
{
    private CgroupRoot(string memory, string pids)
    {
        Memory = memory;
        Pids = pids;
    }

    public string Memory { get; }

    public string Pids { get; }

    private static int _instances;

    /// <summary>Creates <c>{root}/{memory,pids}/{name}-{pid}.{n}</c>, removing folders left by runners that are gone; null when not possible.</summary>
    public static CgroupRoot? TryCreate(SandboxOptions options, out string? problem)
    {
        var name = $"{options.CgroupName}-{Environment.ProcessId}.{Interlocked.Increment(ref _instances)}";
        try
        {
            var memoryController = Path.Combine(options.CgroupRoot, "memory");
            var pidsController = Path.Combine(options.CgroupRoot, "pids");
            if (!File.Exists(Path.Combine(memoryController, "cgroup.procs")) || !File.Exists(Path.Combine(pidsController, "cgroup.procs")))
            {
                problem = $"no cgroup v1 memory and pids controllers under {options.CgroupRoot}";
                return null;
            }

            RemoveStale(memoryController, options.CgroupName);
            RemoveStale(pidsController, options.CgroupName);
            var root = new CgroupRoot(
                Directory.CreateDirectory(Path.Combine(memoryController, name)).FullName,
                Directory.CreateDirectory(Path.Combine(pidsController, name)).FullName);
            problem = null;
            return root;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot create cgroups under {options.CgroupRoot}: {ex.Message}";
            return null;
        }
    }

    /// <summary>Removes the runner's folders (the jails' are gone by then).</summary>
    public void Remove()
    {
        foreach (var folder in new[] { Memory, Pids })
        {
            try
            {
                foreach (var child in Directory.GetDirectories(folder))
                {
                    CgroupSlot.TryRemove(child);
                }
            }
            catch (DirectoryNotFoundException)
            {
                continue; // Already gone (removed meanwhile, or never created): nothing to remove.
            }

            CgroupSlot.TryRemove(folder);
        }
    }

    private static void RemoveStale(string controller, string prefix)
    {
        foreach (var folder in Directory.GetDirectories(controller, prefix + "-*"))
        {
            var suffix = Path.GetFileName(folder)[(prefix.Length + 1)..];
            var dot = suffix.IndexOf('.', StringComparison.Ordinal);
            if (int.TryParse(dot < 0 ? suffix : suffix[..dot], out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                foreach (var child in Directory.GetDirectories(folder))
                {
                    CgroupSlot.KillAndRemove(child);
                }

                CgroupSlot.TryRemove(folder);
            }
        }
    }
}
