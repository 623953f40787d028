using System.Globalization;

namespace BenchPlatform.SandboxRunner.Jail;

/// <summary>
/// One jail's cgroup v1 folders (memory and pids) under the runner's own: the launcher puts itself in them before
/// it forks, so every process of the jail is counted, limited and can be killed from outside.
/// </summary>
internal sealed class CgroupSlot : IDisposable
{
    private readonly string _memory;
    private readonly string _pids;
    private long _memoryLimit = -1;
    private long _oomKills;

    private CgroupSlot(string memory, string pids)
    {
        _memory = memory;
        _pids = pids;
    }

    /// <summary>The <c>cgroup.procs</c> files the launcher writes its pid into.</summary>
    public IReadOnlyList<string> ProcsFiles => [Path.Combine(_memory, "cgroup.procs"), Path.Combine(_pids, "cgroup.procs")];

    /// <summary>Creates the folders for jail <paramref name="id"/>, limited to <paramref name="maxProcesses"/> processes.</summary>
    public static CgroupSlot Create(CgroupRoot root, int id, int maxProcesses)
    {
        var name = id.ToString(CultureInfo.InvariantCulture);
        var memory = Directory.CreateDirectory(Path.Combine(root.Memory, name)).FullName;
        var pids = Directory.CreateDirectory(Path.Combine(root.Pids, name)).FullName;
        File.WriteAllText(Path.Combine(pids, "pids.max"), maxProcesses.ToString(CultureInfo.InvariantCulture));
        var slot = new CgroupSlot(memory, pids);
        slot._oomKills = slot.ReadOomKills();
        return slot;
    }

    /// <summary>Sets the memory limit of the whole jail (zygote, run child, tmpfs pages), writing only on change.</summary>
    public void SetMemoryLimit(long bytes)
    {
        if (bytes == _memoryLimit)
        {
            return;
        }

        File.WriteAllText(Path.Combine(_memory, "memory.limit_in_bytes"), bytes.ToString(CultureInfo.InvariantCulture));
        _memoryLimit = bytes;
    }

    /// <summary>Whether the kernel's OOM killer acted in this jail since the last call.</summary>
    public bool OomKilledSinceLastCheck()
    {
        var now = ReadOomKills();
        var killed = now > _oomKills;
        _oomKills = now;
        return killed;
    }

    /// <summary>How many processes the jail has now.</summary>
    public int ProcessCount() => ReadPids().Count;

    /// <summary>Kills every process of the jail.</summary>
    public void KillAll()
    {
        for (var round = 0; round < 10; round++)
        {
            var pids = ReadPids();
            if (pids.Count == 0)
            {
                return;
            }

            foreach (var pid in pids)
            {
                _ = NativeMethods.Kill(pid, NativeMethods.SigKill);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        KillAll();
        TryRemove(_memory);
        TryRemove(_pids);
    }

    /// <summary>Kills what is left in a jail folder of a runner that died, then removes the folder.</summary>
    internal static void KillAndRemove(string folder)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(folder, "cgroup.procs")))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    _ = NativeMethods.Kill(pid, NativeMethods.SigKill);
                }
            }
        }
        catch (IOException)
        {
        }

        TryRemove(folder);
    }

    /// <summary>Removes a cgroup folder once its processes are gone (they are being reaped after SIGKILL).</summary>
    internal static void TryRemove(string folder)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                Directory.Delete(folder);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException)
            {
                Thread.Sleep(5); // EBUSY until the killed processes are reaped: a few milliseconds
            }
        }
    }

    private long ReadOomKills()
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(_memory, "memory.oom_control")))
            {
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(9), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private List<int> ReadPids()
    {
        var pids = new List<int>();
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(_pids, "cgroup.procs")))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    pids.Add(pid);
                }
            }
        }
        catch (IOException)
        {
        }

        return pids;
    }
}
