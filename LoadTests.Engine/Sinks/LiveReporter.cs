using BenchPlatform.LoadTests.Engine;
using BenchPlatform.LoadTests.Results;
using HdrHistogram;

namespace BenchPlatform.LoadTests;

/// <summary>
/// Every interval, turns the live counters of whatever runs now into <see cref="RealtimeStats"/> and gives them to the
/// sinks (the runner's and the CLI's live reporting). A sink that fails never stops the run.
/// </summary>
internal sealed class LiveReporter(IReadOnlyList<IReportingSink> sinks, TimeSpan interval, TimeProvider time)
{
    private readonly Dictionary<string, (LiveCounters Live, HistogramBase? Interval, long Completed, long Errors, long At)> _last = new(StringComparer.Ordinal);

    /// <summary>Reports until cancelled; <paramref name="running"/> names each running scenario (or step) with its counters.</summary>
    public async Task RunAsync(Func<IReadOnlyList<(string Name, LiveCounters Live)>> running, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = time.GetTimestamp();
            var stats = new List<RealtimeStats>();
            foreach (var (name, live) in running())
            {
                if (!_last.TryGetValue(name, out var last) || !ReferenceEquals(last.Live, live))
                {
                    // A run that started since the last interval has new counters.
                    last = (live, null, 0, 0, now - (long)(interval.TotalSeconds * time.TimestampFrequency));
                }

                var histogram = last.Interval is null ? live.Interval.GetIntervalHistogram() : live.Interval.GetIntervalHistogram(last.Interval);
                var seconds = Math.Max((now - last.At) / (double)time.TimestampFrequency, 1e-6);
                var (completed, errors) = (live.Completed, live.Errors);
                stats.Add(new RealtimeStats(name, time.GetElapsedTime(started), (completed - last.Completed) / seconds, (errors - last.Errors) / seconds,
                    LatencyStats.FromMicros(histogram), live.Sent, completed, errors, live.Dropped, live.InFlight));
                _last[name] = (live, histogram, completed, errors, now);
            }

            if (stats.Count == 0)
            {
                continue;
            }

            foreach (var sink in sinks)
            {
                try
                {
                    await sink.SaveRealtimeStatsAsync(stats, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException or UnauthorizedAccessException)
                {
                    // A sink that cannot keep up never stops the run.
                }
            }
        }
    }
}
