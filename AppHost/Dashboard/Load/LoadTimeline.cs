namespace BenchPlatform.AppHost.Dashboard.Load;

/// <summary>
/// Requests through the entry service per second (count, errors, latency percentiles, from its server spans)
/// and replica gauges per second, for the last <c>seconds</c> seconds; older seconds are overwritten.
/// </summary>
public sealed class LoadTimeline
{
    /// <summary>Latencies kept per second for percentiles; beyond this a uniform sample is kept.</summary>
    public const int SamplesPerSecond = 2048;

    private readonly Lock _lock = new();
    private readonly RequestSecond[] _requests;
    private readonly Dictionary<string, GaugeSample[]> _gauges = new(StringComparer.Ordinal);
    private readonly Random _random = new(17);

    /// <summary>Creates a timeline of <paramref name="seconds"/> seconds.</summary>
    public LoadTimeline(int seconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 10);
        Seconds = seconds;
        _requests = new RequestSecond[seconds];
        for (var i = 0; i < seconds; i++)
        {
            _requests[i] = new RequestSecond();
        }
    }

    /// <summary>How many seconds are kept.</summary>
    public int Seconds { get; }

    /// <summary>Counts one request that started at <paramref name="startUnixMs"/> and took <paramref name="durationMs"/>.</summary>
    public void RecordRequest(long startUnixMs, double durationMs, bool error)
    {
        var second = startUnixMs / 1000;
        lock (_lock)
        {
            var slot = _requests[(int)(second % Seconds)];
            if (slot.Second != second)
            {
                if (slot.Second > second)
                {
                    return; // Older than the window.
                }

                slot.Reset(second);
            }

            slot.Count++;
            if (error)
            {
                slot.Errors++;
            }

            if (slot.Latencies.Count < SamplesPerSecond)
            {
                slot.Latencies.Add(durationMs);
            }
            else if (_random.NextInt64(slot.Count) is var i && i < SamplesPerSecond)
            {
                slot.Latencies[(int)i] = durationMs;
            }
        }
    }

    /// <summary>Records the replica gauges of <paramref name="resource"/> at <paramref name="unixMs"/>.</summary>
    public void RecordGauges(string resource, long unixMs, int ready, int desired, int inflight, int waiting)
    {
        var second = unixMs / 1000;
        lock (_lock)
        {
            if (!_gauges.TryGetValue(resource, out var ring))
            {
                ring = new GaugeSample[Seconds];
                _gauges[resource] = ring;
            }

            ring[(int)(second % Seconds)] = new GaugeSample(second, ready, desired, inflight, waiting);
        }
    }

    /// <summary>The seconds from <paramref name="fromUnixMs"/> to <paramref name="toUnixMs"/> (within the window), oldest first.</summary>
    public LoadSeries Snapshot(long fromUnixMs, long toUnixMs)
    {
        var to = toUnixMs / 1000;
        var from = Math.Max(fromUnixMs / 1000, to - Seconds + 1);
        var requests = new List<RequestPoint>();
        var gauges = new Dictionary<string, List<GaugePoint>>(StringComparer.Ordinal);
        lock (_lock)
        {
            for (var second = from; second <= to; second++)
            {
                var slot = _requests[(int)(second % Seconds)];
                if (slot.Second == second && slot.Count > 0)
                {
                    var sorted = slot.Latencies.ToArray();
                    Array.Sort(sorted);
                    requests.Add(new RequestPoint(second * 1000, slot.Count, slot.Errors,
                        Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99)));
                }
                else
                {
                    requests.Add(new RequestPoint(second * 1000, 0, 0, null, null, null));
                }
            }

            foreach (var (resource, ring) in _gauges)
            {
                var points = new List<GaugePoint>();
                for (var second = from; second <= to; second++)
                {
                    var sample = ring[(int)(second % Seconds)];
                    if (sample.Second == second)
                    {
                        points.Add(new GaugePoint(second * 1000, sample.Ready, sample.Desired, sample.Inflight, sample.Waiting));
                    }
                }

                gauges[resource] = points;
            }
        }

        return new LoadSeries(from * 1000, to * 1000, requests, gauges);
    }

    /// <summary>The nearest-rank percentile <paramref name="q"/> of sorted values.</summary>
    public static double? Percentile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private sealed class RequestSecond
    {
        public long Second { get; private set; } = -1;

        public long Count { get; set; }

        public long Errors { get; set; }

        public List<double> Latencies { get; } = [];

        public void Reset(long second)
        {
            Second = second;
            Count = 0;
            Errors = 0;
            Latencies.Clear();
        }
    }

    private readonly record struct GaugeSample(long Second, int Ready, int Desired, int Inflight, int Waiting);
}
