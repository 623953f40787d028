using System.Globalization;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>
/// Samples the resident memory of a process and all its descendants from <c>/proc</c> once a second, without shared
/// memory (<c>VmRSS − RssShmem</c>), so a soak can tell memory that settles from memory that grows. Shared memory is left
/// out on purpose: a PostgreSQL process's RSS grows as it touches more of the shared buffers, which is not a leak.
/// Linux only; each process is named by its <c>.dll</c> (for <c>dotnet</c> hosts) or its command name, with its PID.
/// </summary>
public sealed class RssSampler
{
    private readonly int _root;
    private readonly List<(double Seconds, Dictionary<int, long> Kb)> _samples = [];
    private readonly Dictionary<int, string> _names = [];

    public RssSampler(int root) => _root = root;

    /// <summary>Samples until cancelled; <paramref name="start"/> is the timestamp seconds are counted from.</summary>
    public async Task RunAsync(TimeProvider time, long start, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        do
        {
            var sample = new Dictionary<int, long>();
            foreach (var pid in Descendants(_root).Prepend(_root))
            {
                if (ReadRssKb(pid) is { } kb)
                {
                    sample[pid] = kb;
                    if (!_names.ContainsKey(pid))
                    {
                        _names[pid] = NameOf(pid);
                    }
                }
            }

            lock (_samples)
            {
                _samples.Add((time.GetElapsedTime(start).TotalSeconds, sample));
            }
        }
        while (await WaitAsync(timer, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Per process: the median RSS in the window just after warm-up and in the last window of the run, and the growth
    /// between them (processes that were not alive in both windows are left out: a restart is not growth).
    /// </summary>
    public List<(string Name, double StartMb, double EndMb, double GrowthPercent)> Growth(double from, double to)
    {
        var window = Math.Clamp((to - from) / 4, 3, 30);
        List<(double Seconds, Dictionary<int, long> Kb)> samples;
        lock (_samples)
        {
            samples = [.. _samples];
        }

        var result = new List<(string, double, double, double)>();
        foreach (var (pid, name) in _names.OrderBy(n => n.Value, StringComparer.Ordinal))
        {
            var early = Median(samples.Where(s => s.Seconds >= from && s.Seconds <= from + window), pid);
            var late = Median(samples.Where(s => s.Seconds >= to - window && s.Seconds <= to), pid);
            if (early is > 0 && late is { } end)
            {
                result.Add(($"{name} ({pid})", early.Value / 1024, end / 1024, (end - early.Value) * 100 / early.Value));
            }
        }

        return result;
    }

    private static double? Median(IEnumerable<(double Seconds, Dictionary<int, long> Kb)> samples, int pid)
    {
        var values = samples.Where(s => s.Kb.ContainsKey(pid)).Select(s => (double)s.Kb[pid]).Order().ToList();
        return values.Count == 0 ? null : values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static IEnumerable<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || ParentOf(pid) is not { } parent)
            {
                continue;
            }

            if (!children.TryGetValue(parent, out var list))
            {
                children[parent] = list = [];
            }

            list.Add(pid);
        }

        var pending = new Stack<int>([root]);
        while (pending.TryPop(out var pid))
        {
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                yield return child;
                pending.Push(child);
            }
        }
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
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

    private static long? ReadRssKb(int pid)
    {
        try
        {
            long? rss = null;
            long shared = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line, "VmRSS:");
                }
                else if (line.StartsWith("RssShmem:", StringComparison.Ordinal))
                {
                    shared = Kilobytes(line, "RssShmem:");
                }
            }

            return rss - shared;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static long Kilobytes(string line, string field) =>
        long.Parse(line.AsSpan(field.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);

    private static string NameOf(int pid)
    {
        try
        {
            var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            var dll = arguments.FirstOrDefault(a => a.EndsWith(".dll", StringComparison.Ordinal));
            return dll is not null ? Path.GetFileNameWithoutExtension(dll) : File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return "pid";
        }
    }
}
