using System.Diagnostics;
using System.Text.Json;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Reports;
using BenchPlatform.LoadTests.Tests.Support;
using Runner = BenchPlatform.LoadTests.Tests.Support.Cli;

namespace BenchPlatform.LoadTests.Tests.Cli;

public sealed class LiveThresholdOptionTests
{
    [Fact]
    public async Task Run_AbortWhenErrorCount_StopsTheRunAtTheFirstFailedCheckAndExits3()
    {
        await using var server = await ScriptedServer.StartAsync();
        var directory = Runner.TempDirectory();
        try
        {
            var clock = Stopwatch.StartNew();
            var (code, _, error) = await Runner.RunAsync("http", "--target", server.Url.ToString(), "--path", "/status?code=500", "--rate", "50", "--duration", "20s", "--warmup", "0s",
                "--live", "300ms", "--threshold", "all.error_rate<1%", "--abort-when-error-count", "1", "--report", directory).WaitAsync(TimeSpan.FromSeconds(60));

            // Every request fails from the start; the first check, 0.3 s in, fails and stops a run that would have taken 20 s.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the run went on for {clock.Elapsed.TotalSeconds:0.0} s after its threshold failed");
            Assert.True(code == ExitCodes.ThresholdFailed, $"exit code {code}: {error}");
            Assert.Contains("stopped the run at", error, StringComparison.Ordinal);
            Assert.Contains("after 1 failed check(s) while it went (--abort-when-error-count 1)", error, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, ReportWriter.Json)));
            var run = json.RootElement.GetProperty("runs")[0];
            var (sent, dropped, due) = (run.GetProperty("sent").GetInt64(), run.GetProperty("dropped").GetInt64(), run.GetProperty("due").GetInt64());
            Assert.Equal(1000, due);
            Assert.Equal(due, sent + dropped);
            Assert.InRange(dropped, 500, 995);
            var threshold = json.RootElement.GetProperty("thresholds")[0];
            Assert.False(threshold.GetProperty("passed").GetBoolean());
            Assert.Contains("stopped the run at", threshold.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Run_StartCheckAfterLongerThanTheRun_NoCheckStopsItAndTheEndDecides()
    {
        await using var server = await ScriptedServer.StartAsync();
        var directory = Runner.TempDirectory();
        try
        {
            var (code, _, error) = await Runner.RunAsync("http", "--target", server.Url.ToString(), "--path", "/status?code=500", "--rate", "50", "--duration", "1.5s", "--warmup", "0s",
                "--live", "300ms", "--threshold", "all.error_rate<1%", "--abort-when-error-count", "1", "--start-check-after", "1h", "--report", directory).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(code == ExitCodes.ThresholdFailed, $"exit code {code}: {error}");
            Assert.Contains("all.error_rate<1%: FAILED (1 at http/", error, StringComparison.Ordinal);
            Assert.DoesNotContain("stopped the run", error, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, ReportWriter.Json)));
            var run = json.RootElement.GetProperty("runs")[0];
            Assert.Equal(75, run.GetProperty("sent").GetInt64());
            Assert.Equal(0, run.GetProperty("dropped").GetInt64());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Run_AbortWhenErrorCountWithAThresholdThatHolds_RunsToTheEndAndExits0()
    {
        await using var server = await ScriptedServer.StartAsync();

        var (code, _, error) = await Runner.RunAsync("http", "--target", server.Url.ToString(), "--path", "/fast", "--rate", "50", "--duration", "1s", "--warmup", "0s",
            "--live", "300ms", "--threshold", "all.error_rate<1%", "--abort-when-error-count", "1").WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == ExitCodes.Ok, $"exit code {code}: {error}");
    }

    [Theory]
    [InlineData(new[] { "--threshold", "all.error_rate<1%", "--abort-when-error-count", "0" }, "--abort-when-error-count '0' must be a whole number from 1")]
    [InlineData(new[] { "--threshold", "all.error_rate<1%", "--abort-when-error-count", "often" }, "--abort-when-error-count 'often' must be a whole number from 1")]
    [InlineData(new[] { "--abort-when-error-count", "3" }, "there is none; add one, e.g. --threshold \"all.error_rate<1%\"")]
    [InlineData(new[] { "--threshold", "all.error_rate<1%", "--start-check-after", "10s" }, "add --abort-when-error-count N")]
    [InlineData(new[] { "--threshold", "all.error_rate<1%", "--abort-when-error-count", "1", "--start-check-after", "soon" }, "--start-check-after 'soon' must be a duration such as 30s")]
    public async Task Run_BadLiveThresholdOption_Exits2NamingTheFix(string[] options, string fix)
    {
        var (code, _, error) = await Runner.RunAsync(["http", "--target", "http://127.0.0.1:1/", .. options]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(fix, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LiveThresholdOptions_ApplyToEveryThresholdWhereverTheyStand()
    {
        var options = CommandLine.Parse(["http", "--target", "http://127.0.0.1:1/", "--abort-when-error-count", "3", "--threshold", "all.p99<20ms", "--start-check-after", "30s", "--threshold", "all.error_rate<1%"]);

        Assert.All(options.Thresholds, threshold =>
        {
            Assert.Equal(3, threshold.AbortWhenErrorCount);
            Assert.Equal(TimeSpan.FromSeconds(30), threshold.StartCheckAfter);
        });
        Assert.Equal(2, options.Thresholds.Count);
    }
}
