using System.Text.Json;
using BenchPlatform.LoadTests.Reports;

namespace BenchPlatform.LoadTests;

/// <summary>
/// Live reporting at each interval: one plain line per scenario on a writer (the console), or one JSON object per line
/// appended to a file (<see cref="ToFile"/>), so a long run can be watched or tailed while it goes.
/// </summary>
public sealed class LiveSink : IReportingSink
{
    private readonly TextWriter? _writer;
    private readonly string? _path;

    private LiveSink(TextWriter? writer, string? path)
    {
        _writer = writer;
        _path = path;
    }

    /// <inheritdoc />
    public string SinkName => _path is null ? "live" : $"live file {_path}";

    /// <summary>Lines on <paramref name="writer"/> (default: the console).</summary>
    public static LiveSink ToWriter(TextWriter? writer = null) => new(writer ?? Console.Out, null);

    /// <summary>JSON lines appended to <paramref name="path"/> (its folder is created).</summary>
    public static LiveSink ToFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return new LiveSink(null, full);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task SaveRealtimeStatsAsync(IReadOnlyList<RealtimeStats> stats, CancellationToken cancellationToken)
    {
        if (_writer is not null)
        {
            foreach (var scenario in stats)
            {
                await _writer.WriteLineAsync(scenario.ToString()).ConfigureAwait(false);
            }

            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        using var buffer = new MemoryStream();
        foreach (var scenario in stats)
        {
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("time_utc", DateTimeOffset.UtcNow);
                json.WriteString("scenario", scenario.ScenarioName);
                json.WriteFinite("elapsed_s", scenario.Elapsed.TotalSeconds, 3);
                json.WriteFinite("rps", scenario.RequestsPerSecond, 3);
                json.WriteFinite("errors_per_s", scenario.ErrorsPerSecond, 3);
                json.WriteFinite("p50_ms", scenario.Latency.P50);
                json.WriteFinite("p90_ms", scenario.Latency.P90);
                json.WriteFinite("p99_ms", scenario.Latency.P99);
                json.WriteFinite("max_ms", scenario.Latency.Max);
                json.WriteNumber("sent", scenario.Sent);
                json.WriteNumber("completed", scenario.Completed);
                json.WriteNumber("errors", scenario.Errors);
                json.WriteNumber("dropped", scenario.Dropped);
                json.WriteNumber("in_flight", scenario.InFlight);
                json.WriteEndObject();
            }

            buffer.WriteByte((byte)'\n');
        }

        await using var file = new FileStream(_path!, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        buffer.Position = 0;
        await buffer.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task SaveFinalStatsAsync(LoadTestStats stats, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
