using System.Globalization;
using BenchPlatform.LoadTests.Engine;
using HdrHistogram;

namespace BenchPlatform.LoadTests.Progress;

/// <summary>Formats one progress sample of the engine's counters.</summary>
internal static class ProgressLine
{
    public static string Format(string step, double elapsed, double expected, LiveCounters live, HistogramBase interval)
    {
        var p99 = interval.TotalCount == 0 ? 0 : interval.GetValueAtPercentile(99) / 1000.0;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{step}] {elapsed:0.0}/{expected:0.0}s sent={live.Sent} done={live.Completed} inflight={live.InFlight} errors={live.Errors} late={live.Late} dropped={live.Dropped} p99(interval)={p99:0.###}ms");
    }
}
