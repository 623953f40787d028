using System.Collections.Concurrent;
using System.Diagnostics;
using BenchPlatform.LoadTests.Tests.Support;

namespace BenchPlatform.LoadTests.Tests.Running;

public sealed class LiveThresholdTests
{
    [Fact]
    public async Task Run_ErrorCountThresholdWithAbort_StopsTheRunAtTheFirstFailedCheckAndCountsTheRestDropped()
    {
        await using var server = await ScriptedServer.StartAsync();
        var scenario = Scenario.Create("failing", async ctx => await Http.Send(ctx, new HttpRequestMessage(HttpMethod.Get, new Uri(ctx.Target!, "/status?code=500"))))
            .WithLoadSimulations(Simulation.Inject(rate: 50, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(20)))
            .WithThresholds(Threshold.Create(stats => stats.Fail.Request.Count < 5, abortWhenErrorCount: 1));
        var clock = Stopwatch.StartNew();

        var stats = await LoadTestRunner.RegisterScenarios(scenario).WithTarget(server.Url).WithReportingInterval(TimeSpan.FromMilliseconds(300)).RunAsync()
            .WaitAsync(TimeSpan.FromSeconds(60));

        // 5 errors come within 0.1 s; the first check at 0.3 s fails and stops a run that would have taken 20 s.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the run went on for {clock.Elapsed.TotalSeconds:0.0} s after its threshold failed");
        Assert.False(stats.Passed);
        var threshold = Assert.Single(stats.Thresholds);
        Assert.True(threshold.AbortedRun);
        Assert.Equal(1, threshold.FailedChecks);
        Assert.InRange(threshold.Checks, 1, 30);
        Assert.InRange(threshold.StoppedAt!.Value, TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(10));
        Assert.Contains("stopped the run at", threshold.Message, StringComparison.Ordinal);
        var failing = stats.GetScenarioStats("failing").Summary;
        Assert.Equal(1000, failing.Due);
        Assert.Equal(failing.Due, failing.Sent + failing.Dropped);
        Assert.InRange(failing.Dropped, 500, 995);
        Assert.True(server.Count < 500, $"the server got {server.Count} requests after the run was to stop");
    }

    [Fact]
    public async Task Run_ThresholdsWithoutAbort_AreCheckedOnTheStatsSoFarAtEachIntervalAndTheRunGoesOn()
    {
        await using var server = await ScriptedServer.StartAsync();
        var seen = new ConcurrentQueue<long>();
        var scenario = Scenario.Create("steady", async ctx => await Http.Send(ctx, new HttpRequestMessage(HttpMethod.Get, new Uri(ctx.Target!, "/fast"))))
            .WithLoadSimulations(Simulation.Inject(rate: 50, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(2)))
            .WithThresholds(
                Threshold.Create(stats =>
                {
                    seen.Enqueue(stats.Ok.Request.Count);
                    return true;
                }),
                Threshold.Create(stats => stats.Ok.Request.Count > 1000),
                Threshold.Parse("all.p99<1ms", startCheckAfter: TimeSpan.FromHours(1)));

        var stats = await LoadTestRunner.RegisterScenarios(scenario).WithTarget(server.Url).WithReportingInterval(TimeSpan.FromMilliseconds(300)).RunAsync()
            .WaitAsync(TimeSpan.FromSeconds(60));

        // Checked while the run went (at least 2 of its ~6 intervals) on growing counts, then once at the end on all 100.
        var counts = seen.ToArray();
        Assert.True(counts.Length >= 3, $"the threshold was checked {counts.Length} time(s)");
        Assert.Equal(100, counts[^1]);
        Assert.True(counts[0] < 100, $"the first check saw {counts[0]} requests: the stats of the whole run, not of the run so far");
        Assert.Equal(counts.Order(), counts);
        Assert.Equal(100, stats.GetScenarioStats("steady").Summary.Sent);
        var never = stats.Thresholds[1];
        Assert.False(never.Passed);
        Assert.False(never.AbortedRun);
        Assert.Equal(counts.Length - 1, never.FailedChecks);
        Assert.Equal(counts.Length - 1, never.Checks);
        Assert.Null(never.StoppedAt);
        Assert.Equal(0, stats.Thresholds[2].FailedChecks);
        Assert.Equal(0, stats.Thresholds[2].Checks);
    }

    [Fact]
    public void Threshold_AbortAfterZeroFailedChecks_ThrowsNamingTheFix()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Threshold.Create(stats => stats.Fail.Request.Count == 0, abortWhenErrorCount: 0));
        Assert.Contains("abortWhenErrorCount must be 1 or more", error.Message, StringComparison.Ordinal);
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => Threshold.Parse("all.p99<20ms", startCheckAfter: TimeSpan.FromSeconds(-1)));
        Assert.Contains("startCheckAfter must be zero or more", negative.Message, StringComparison.Ordinal);
    }
}
