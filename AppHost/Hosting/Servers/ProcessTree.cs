using System.Globalization;

namespace BenchPlatform.AppHost.Hosting.Servers;

/// <summary>Reads the process tree from <c>/proc</c>, so a stop can reach grandchildren too.</summary>
public static class ProcessTree
{
    /// <summary>Every live descendant of <paramref name="pid"/> (children, their children, …).</summary>
    public static List<int> Descendants(int pid)
    {
        var parents = new Dictionary<int, List<int>>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var child)
                || ParentOf(child) is not { } parent)
            {
                continue;
            }

            if (!parents.TryGetValue(parent, out var children))
            {
                parents[parent] = children = [];
            }

            children.Add(child);
        }

        var result = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.TryDequeue(out var next))
        {
            if (parents.TryGetValue(next, out var children))
            {
                foreach (var child in children)
                {
                    result.Add(child);
                    queue.Enqueue(child);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Every live process started with <c>--monitor {pid}</c>: Aspire's DCP detaches from the process that starts it and
    /// watches the app host by that argument instead, so it is no descendant.
    /// </summary>
    public static List<int> Monitoring(int pid)
    {
        var argument = $"--monitor {pid.ToString(CultureInfo.InvariantCulture)} ";
        var result = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var other)
                && CommandLine(other) is { } commandLine && $"{commandLine} ".Contains(argument, StringComparison.Ordinal)
                && IsAlive(other))
            {
                result.Add(other);
            }
        }

        return result;
    }

    /// <summary>Whether <paramref name="pid"/> is a running (not zombie) process.</summary>
    public static bool IsAlive(int pid)
    {
        var state = StatFields(pid);
        return state is not null && state[0] != "Z" && state[0] != "X";
    }

    /// <summary>
    /// When the process started (clock ticks since boot), or null when it is gone: with the pid, an identity that a
    /// later process reusing the pid does not share.
    /// </summary>
    public static long? StartTime(int pid)
    {
        var fields = StatFields(pid);
        return fields is not null && long.TryParse(fields[2].Split(' ')[StartTimeAfterPpid], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
    }

    /// <summary>The process's state letter (R, S, D, T, Z, …) and parent, for messages; null when it is gone.</summary>
    public static string? Describe(int pid) => StatFields(pid) is { } fields ? $"state {fields[0]}, parent {fields[1]}" : null;

    /// <summary>The parent process id, or null when the process is gone.</summary>
    public static int? ParentOf(int pid)
    {
        var fields = StatFields(pid);
        return fields is not null && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid) ? ppid : null;
    }

    /// <summary>The command line (arguments joined by spaces), or null when the process is gone.</summary>
    public static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').TrimEnd();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Field 22 of /proc/{pid}/stat (starttime), counted in what follows ppid (field 4).
    private const int StartTimeAfterPpid = 22 - 5;

    // /proc/{pid}/stat is "pid (comm) state ppid …"; comm may hold spaces and parentheses, so split after the last ')'.
    private static string[]? StatFields(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        var close = stat.LastIndexOf(')');
        return close < 0 ? null : stat[(close + 2)..].Split(' ', 3);
    }
}
