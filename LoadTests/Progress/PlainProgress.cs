using System.Diagnostics;
using BenchPlatform.LoadTests.Engine;
using HdrHistogram;

namespace BenchPlatform.LoadTests.Progress;

/// <summary>Plain progress: one line every few seconds and one when a step ends (CI logs, pipes).</summary>
public sealed class PlainProgress(TextWriter output, TimeSpan every) : IProgressView
{
    public void Info(string line) => output.WriteLine(line);

    public async Task<T> TrackAsync<T>(string step, TimeSpan expected, LoadEngine engine, Func<Task<T>> run)
    {
        var started = Stopwatch.GetTimestamp();
        var task = run();
        HistogramBase? interval = null;
        while (await Task.WhenAny(task, Task.Delay(every)).ConfigureAwait(false) != task)
        {
            interval = interval is null ? engine.Live.Interval.GetIntervalHistogram() : engine.Live.Interval.GetIntervalHistogram(interval);
            output.WriteLine(ProgressLine.Format(step, Stopwatch.GetElapsedTime(started).TotalSeconds, expected.TotalSeconds, engine.Live, interval));
        }

        return await task.ConfigureAwait(false);
    }
}
