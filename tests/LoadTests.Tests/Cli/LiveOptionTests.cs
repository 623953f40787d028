using System.Diagnostics;
using System.Text.Json;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Tests.Support;
using Runner = BenchPlatform.LoadTests.Tests.Support.Cli;

namespace BenchPlatform.LoadTests.Tests.Cli;

public sealed class LiveOptionTests
{
    [Fact]
    public async Task Run_LiveAndLiveFile_PrintsAndAppendsTheRunningStepsStatsEveryInterval()
    {
        await using var server = await ScriptedServer.StartAsync();
        var directory = Runner.TempDirectory();
        try
        {
            var file = Path.Combine(directory, "live.jsonl");
            var started = Stopwatch.GetTimestamp();
            var (code, output, error) = await Runner.RunAsync("http", "--target", server.Url.ToString(), "--path", "/fast", "--rate", "40", "--duration", "1.5s", "--warmup", "0s", "--live", "300ms", "--live-file", file);
            var elapsed = Stopwatch.GetElapsedTime(started);

            Assert.True(code == ExitCodes.Ok, error);
            Assert.Contains("[http/GET /fast @40/s] ", output, StringComparison.Ordinal);
            Assert.Matches(@"\d+(\.\d)? req/s, \d+(\.\d)? errors/s, p50=", output);
            var lines = await File.ReadAllLinesAsync(file);
            // A line every 300 ms while the step runs: never more often, and as many as the run's wall time allows (a busy
            // machine delays the reporter's timer, so the lower bound is loose).
            Assert.InRange(lines.Length, 2, (int)(elapsed / TimeSpan.FromMilliseconds(300)) + 2);
            var times = new List<double>();
            foreach (var line in lines)
            {
                using var json = JsonDocument.Parse(line);
                Assert.StartsWith("http/", json.RootElement.GetProperty("scenario").GetString(), StringComparison.Ordinal);
                times.Add(json.RootElement.GetProperty("elapsed_s").GetDouble());
            }

            Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.Second - pair.First >= 0.29, $"lines {pair.First} s and {pair.Second} s apart by less than the interval"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("--live", "10ms", "too short; give 100ms or more")]
    [InlineData("--live", "soon", "must be a duration")]
    public void Parse_BadLiveInterval_NamesTheFix(string option, string value, string fix)
    {
        var error = Assert.Throws<UsageException>(() => CommandLine.Parse(["http", "--target", "http://127.0.0.1:1/", option, value]));
        Assert.Contains(fix, error.Message, StringComparison.Ordinal);
    }
}
