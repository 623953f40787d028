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
    public async Task Run_LiveChecks_SummaryJsonSaysWhichChecksRanHowManyFailedAndWhenTheRunStopped()
    {
        await using var server = await ScriptedServer.StartAsync();
        var directory = Runner.TempDirectory();
        try
        {
            // Two thresholds checked every 0.3 s: the error budget fails at its first check and stops the run; the
            // latency bound holds at every check it made until then.
            var (code, _, error) = await Runner.RunAsync("http", "--target", server.Url.ToString(), "--path", "/status?code=500", "--rate", "50", "--duration", "20s", "--warmup", "0s",
                "--live", "300ms", "--threshold", "all.error_rate<1%", "--threshold", "all.p99<10s", "--abort-when-error-count", "1", "--report", directory).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(code == ExitCodes.ThresholdFailed, $"exit code {code}: {error}");
            using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, ReportWriter.Json)));
            var live = json.RootElement.GetProperty("live_checks");
            Assert.Equal(0.3, live.GetProperty("interval_s").GetDouble(), 3);
            Assert.InRange(live.GetProperty("rounds").GetInt32(), 1, 30);
            Assert.Equal(2, live.GetProperty("thresholds_checked").GetInt32());
            Assert.Equal(1, live.GetProperty("failed_checks").GetInt32());
            Assert.True(live.GetProperty("stopped_run").GetBoolean());
            Assert.InRange(live.GetProperty("stopped_at_s").GetDouble(), 0.2, 10);
            Assert.Equal("all.error_rate<1%", live.GetProperty("stopped_by").GetString());

            var budget = json.RootElement.GetProperty("thresholds")[0];
            Assert.True(budget.GetProperty("checked_while_running").GetBoolean());
            Assert.Equal(1, budget.GetProperty("abort_when_error_count").GetInt32());
            Assert.Equal(1, budget.GetProperty("checks").GetInt32());
            Assert.Equal(1, budget.GetProperty("failed_checks").GetInt32());
            Assert.True(budget.GetProperty("stopped_run").GetBoolean());
            Assert.Equal(live.GetProperty("stopped_at_s").GetDouble(), budget.GetProperty("stopped_at_s").GetDouble());

            var latency = json.RootElement.GetProperty("thresholds")[1];
            Assert.Equal(1, latency.GetProperty("checks").GetInt32());
            Assert.Equal(0, latency.GetProperty("failed_checks").GetInt32());
            Assert.False(latency.GetProperty("stopped_run").GetBoolean());
            Assert.Equal(JsonValueKind.Null, latency.GetProperty("stopped_at_s").ValueKind);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Run_ThresholdsOnlyAtTheEnd_SummaryJsonHasNoLiveChecks()
    {
        await using var server = await ScriptedServer.StartAsync();
        var directory = Runner.TempDirectory();
        try
        {
            var (code, _, error) = await Runner.RunAsync("http", "--target", server.Url.ToString(), "--path", "/fast", "--rate", "50", "--duration", "0.5s", "--warmup", "0s",
                "--threshold", "all.error_rate<1%", "--report", directory).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(code == ExitCodes.Ok, $"exit code {code}: {error}");
            using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, ReportWriter.Json)));
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("live_checks").ValueKind);
            var threshold = json.RootElement.GetProperty("thresholds")[0];
            Assert.False(threshold.GetProperty("checked_while_running").GetBoolean());
            Assert.Equal(0, threshold.GetProperty("checks").GetInt32());
            Assert.False(threshold.GetProperty("stopped_run").GetBoolean());
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
            var live = json.RootElement.GetProperty("live_checks");
            Assert.False(live.GetProperty("stopped_run").GetBoolean());
            Assert.Equal(JsonValueKind.Null, live.GetProperty("stopped_at_s").ValueKind);
            Assert.Equal(0, json.RootElement.GetProperty("thresholds")[0].GetProperty("checks").GetInt32());
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
