using System.Diagnostics;
using BenchPlatform.LoadTests.Engine;
using HdrHistogram;
using Spectre.Console;

namespace BenchPlatform.LoadTests.Progress;

/// <summary>A live Spectre.Console table of the engine's counters, refreshed four times a second, on a terminal.</summary>
public sealed class LiveProgress : IProgressView
{
    public void Info(string line) => AnsiConsole.MarkupLine(Markup.Escape(line));

    public async Task<T> TrackAsync<T>(string step, TimeSpan expected, LoadEngine engine, Func<Task<T>> run)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(step));
        foreach (var column in new[] { "elapsed", "sent", "done", "in flight", "req/s", "errors", "late", "dropped", "p99 (last 250 ms)" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        table.AddRow("0", "0", "0", "0", "0", "0", "0", "0", "-");
        T result = default!;
        await AnsiConsole.Live(table).StartAsync(async context =>
        {
            var started = Stopwatch.GetTimestamp();
            var task = run();
            HistogramBase? interval = null;
            long lastDone = 0;
            var lastAt = 0.0;
            while (true)
            {
                var finished = await Task.WhenAny(task, Task.Delay(250)).ConfigureAwait(false) == task;
                var live = engine.Live;
                interval = interval is null ? live.Interval.GetIntervalHistogram() : live.Interval.GetIntervalHistogram(interval);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
                var done = live.Completed;
                var rps = elapsed > lastAt ? (done - lastDone) / (elapsed - lastAt) : 0;
                (lastDone, lastAt) = (done, elapsed);
                var p99 = interval.TotalCount == 0 ? "-" : $"{interval.GetValueAtPercentile(99) / 1000.0:0.###} ms";
                table.UpdateCell(0, 0, $"{elapsed:0.0}/{expected.TotalSeconds:0.0}s");
                table.UpdateCell(0, 1, live.Sent.ToString(System.Globalization.CultureInfo.InvariantCulture));
                table.UpdateCell(0, 2, done.ToString(System.Globalization.CultureInfo.InvariantCulture));
                table.UpdateCell(0, 3, live.InFlight.ToString(System.Globalization.CultureInfo.InvariantCulture));
                table.UpdateCell(0, 4, $"{rps:0}");
                table.UpdateCell(0, 5, live.Errors.ToString(System.Globalization.CultureInfo.InvariantCulture));
                table.UpdateCell(0, 6, live.Late.ToString(System.Globalization.CultureInfo.InvariantCulture));
                table.UpdateCell(0, 7, live.Dropped.ToString(System.Globalization.CultureInfo.InvariantCulture));
                table.UpdateCell(0, 8, p99);
                context.Refresh();
                if (finished)
                {
                    result = await task.ConfigureAwait(false);
                    return;
                }
            }
        }).ConfigureAwait(false);
        return result;
    }
}
