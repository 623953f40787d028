using System.Diagnostics;
using BenchPlatform.LoadTests.Engine;
using BenchPlatform.LoadTests.Results;
using BenchPlatform.LoadTests.Tests.Support;

namespace BenchPlatform.LoadTests.Tests.Engine;

public sealed class OpenModelTests
{
    private const double Rate = 200;
    private static readonly TimeSpan Stall = TimeSpan.FromMilliseconds(800);

    [Fact]
    public async Task OpenModel_ServerStalls_KeepsSendingAtItsRateAndCorrectedP99ShowsTheStall()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.StallAfter = 200;
        server.StallFor = Stall;
        var (engine, handler) = Runs.Engine(512);
        using var _ = handler;

        var run = await engine.RunOpenAsync(Runs.Get(new Uri(server.Url, "/fast")), new OpenModel(new ConstantArrival(Rate), TimeSpan.Zero, TimeSpan.FromSeconds(3), 512, TimeSpan.FromMilliseconds(10)), CancellationToken.None);
        var summary = Summarizer.Summarize("test", "stall", run);

        // The schedule is kept: every one of the 600 scheduled requests is sent (or, on a starved machine, counted as
        // dropped, never silently skipped), and every one sent is answered.
        Assert.Equal(600, summary.Sent + summary.Dropped);
        Assert.True(summary.Dropped <= 60, $"dropped {summary.Dropped}");
        Assert.Equal(summary.Sent, summary.Ok);
        // While the server answered nothing, requests still arrived (200/s → ~160 scheduled in 800 ms). Each needs a new
        // connection, so on a loaded machine some arrive late and bunch up: the bounds allow 3/8 to 1.6× the schedule;
        // a closed model would deliver none at all.
        var stalledArrivals = server.ArrivedBetween(server.StallStartedAt, server.StallStartedAt + (long)(Stall.TotalSeconds * Stopwatch.Frequency));
        Assert.InRange(stalledArrivals, 60, 260);
        var all = summary.Classes["all"];
        Assert.True(all.Corrected.P99 >= 600, $"corrected p99 {all.Corrected.P99} ms should show the 800 ms stall");
        Assert.True(all.Corrected.Max >= 750, $"corrected max {all.Corrected.Max} ms");
    }

    [Fact]
    public async Task OpenModel_OneConnectionAndAStall_CorrectedP99ShowsTheStallUncorrectedDoesNot()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.StallAfter = 200;
        server.StallFor = Stall;
        var (engine, handler) = Runs.Engine(1);
        using var _ = handler;

        var run = await engine.RunOpenAsync(Runs.Get(new Uri(server.Url, "/fast")), new OpenModel(new ConstantArrival(Rate), TimeSpan.Zero, TimeSpan.FromSeconds(3), 1, TimeSpan.FromMilliseconds(10)), CancellationToken.None);
        var summary = Summarizer.Summarize("test", "stall-1conn", run);

        // The schedule is kept: requests held back by the busy connection are sent late, not skipped.
        Assert.Equal(600, summary.Sent + summary.Dropped);
        Assert.True(summary.Dropped <= 60, $"dropped {summary.Dropped}");
        Assert.True(summary.Late >= 100, $"only {summary.Late} requests counted late; ~160 were held behind the stall");
        Assert.True(summary.Lag.Max >= 600, $"generator lag max {summary.Lag.Max} ms should show the requests held back");
        var all = summary.Classes["all"];
        Assert.True(all.Corrected.P99 >= 600, $"corrected p99 {all.Corrected.P99} ms should show the 800 ms stall");
        Assert.True(all.Uncorrected.P99 < all.Corrected.P99 / 2, $"uncorrected p99 {all.Uncorrected.P99} ms should hide the stall that the corrected {all.Corrected.P99} ms shows (coordinated omission)");
        Assert.True(all.Uncorrected.Max >= 750, "the one request that met the stall still shows it uncorrected");
    }

    [Fact]
    public async Task OpenModel_Warmup_IsSentButExcludedFromResults()
    {
        await using var server = await ScriptedServer.StartAsync();
        var (engine, handler) = Runs.Engine(64);
        using var _ = handler;

        var run = await engine.RunOpenAsync(Runs.Get(new Uri(server.Url, "/fast")), new OpenModel(new ConstantArrival(100), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), 64, TimeSpan.FromMilliseconds(10)), CancellationToken.None);
        var summary = Summarizer.Summarize("test", "warmup", run);

        Assert.Equal(150, server.Count);
        Assert.Equal(50, run.Records.Count(r => r.Warmup));
        Assert.Equal(100, summary.Sent);
        Assert.Equal(100, summary.Classes["all"].Corrected.Count);
        Assert.InRange(summary.AchievedRate, 99, 101);
    }

    [Fact]
    public async Task OpenModel_EverySlotHeldPastThePhaseEnd_SendsTheRestLateInsteadOfDropping()
    {
        // What a cold process on a busy machine does to the first requests (connections, JIT, a thread pool of one thread
        // per core): they all finish together, seconds later. Here the server holds every request from the first one until
        // 1.3 s, so all 8 slots are busy when the 1-second phase ends. The 92 requests due meanwhile must still reach the
        // server, late, not be counted as dropped: nothing completed, so it was a stall and not the target's capacity.
        await using var server = await ScriptedServer.StartAsync();
        server.StallAfter = 1;
        server.StallFor = TimeSpan.FromSeconds(1.3);
        var (engine, handler) = Runs.Engine(8);
        using var _ = handler;

        var run = await engine.RunOpenAsync(Runs.Get(new Uri(server.Url, "/fast")), new OpenModel(new ConstantArrival(100), TimeSpan.Zero, TimeSpan.FromSeconds(1), 8, TimeSpan.FromMilliseconds(10)), CancellationToken.None);
        var summary = Summarizer.Summarize("test", "held", run);

        Assert.Equal(100, server.Count);
        Assert.Equal(0, summary.Dropped);
        Assert.Equal(100, summary.Ok);
        Assert.True(summary.Late >= 80, $"only {summary.Late} requests counted late; ~90 were held behind the stall");
        Assert.True(summary.Classes["all"].Corrected.Max >= 1000, $"corrected max {summary.Classes["all"].Corrected.Max} ms should show the 1.3 s stall");
    }

    [Fact]
    public void RampingArrival_LinearRamp_SchedulesTheIntegralOfTheRate()
    {
        var ramp = new RampingArrival(100, 300, 2);
        var due = 0;
        while (ramp.OffsetSeconds(due) < 2)
        {
            due++;
        }

        // ∫ from 100 to 300 over 2 s = 400 requests; then it holds 300/s.
        Assert.InRange(due, 399, 401);
        Assert.Equal(2 + (1 / 300.0), ramp.OffsetSeconds(401), 6);
        Assert.Equal(200, ramp.RateAt(1), 6);
    }

    [Fact]
    public async Task OpenModel_ErrorsAndTimeouts_AreCountedNotHidden()
    {
        await using var server = await ScriptedServer.StartAsync();
        // The 503s get the default timeout: on a busy machine a fresh connection's first answer can take longer than the
        // 200 ms the timeout half uses, and would rightly be counted as a timeout there.
        var (engine, handler) = Runs.Engine(64);
        using var _ = handler;
        var (timingOut, timingOutHandler) = Runs.Engine(64, TimeSpan.FromMilliseconds(200));
        using var __ = timingOutHandler;

        var errors = Summarizer.Summarize("t", "503", await engine.RunOpenAsync(Runs.Get(new Uri(server.Url, "/status?code=503")), new OpenModel(new ConstantArrival(50), TimeSpan.Zero, TimeSpan.FromSeconds(0.5), 64, TimeSpan.FromMilliseconds(10)), CancellationToken.None));
        var timeouts = Summarizer.Summarize("t", "slow", await timingOut.RunOpenAsync(Runs.Get(new Uri(server.Url, "/delay?ms=2000")), new OpenModel(new ConstantArrival(20), TimeSpan.Zero, TimeSpan.FromSeconds(0.5), 64, TimeSpan.FromMilliseconds(10)), CancellationToken.None));

        Assert.Equal(25, errors.HttpErrors);
        Assert.Equal(25, errors.Classes["error"].Corrected.Count);
        Assert.Equal(1.0, errors.ErrorRate);
        Assert.Equal(10, timeouts.Timeouts);
        Assert.True(timeouts.Classes["error"].Corrected.P50 >= 190, "a timeout's latency is the timeout");
    }

    [Fact]
    public async Task OpenModel_NothingListens_EveryRequestFailsAndTheRunEnds()
    {
        var port = BenchPlatform.TestCommon.FreePort.Next();
        var (engine, handler) = Runs.Engine(16);
        using var _ = handler;

        var summary = Summarizer.Summarize("t", "refused", await engine.RunOpenAsync(Runs.Get(new Uri($"http://127.0.0.1:{port}/")), new OpenModel(new ConstantArrival(20), TimeSpan.Zero, TimeSpan.FromSeconds(0.5), 16, TimeSpan.FromMilliseconds(10)), CancellationToken.None));

        Assert.Equal(10, summary.Sent);
        Assert.Equal(10, summary.Failed);
        Assert.Equal(0, summary.Ok);
    }

    [Fact]
    public async Task OpenModel_Ramp_SendsTheIntegralOfTheRampOverTheRun()
    {
        await using var server = await ScriptedServer.StartAsync();
        var (engine, handler) = Runs.Engine(64);
        using var _ = handler;

        var run = await engine.RunOpenAsync(Runs.Get(new Uri(server.Url, "/fast")), new OpenModel(new RampingArrival(50, 150, 2), TimeSpan.Zero, TimeSpan.FromSeconds(2), 64, TimeSpan.FromMilliseconds(10)), CancellationToken.None);

        // (50 + 150) / 2 × 2 s = 200, the later second twice as busy as the first… roughly 3:5 (75 vs 125).
        Assert.Equal(200, server.Count);
        var firstSecond = run.Records.Count(r => run.Ms(r.IntendedTicks) < 1000);
        Assert.Equal(75, firstSecond);
        Assert.Equal(150, run.TargetRate);
    }
}

