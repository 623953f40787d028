using BenchPlatform.LoadTests.Tests.Support;

namespace BenchPlatform.LoadTests.Tests.Running;

public sealed class LoadTestRunnerTests : IDisposable
{
    private readonly string _reports = Path.Combine(Path.GetTempPath(), $"lt-runner-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_reports))
        {
            Directory.Delete(_reports, recursive: true);
        }
    }

    [Fact]
    public async Task Run_TwoStepsUnderChainedOpenAndClosedPhases_TimesEachStepAndWritesEveryReport()
    {
        await using var server = await ScriptedServer.StartAsync();
        var initRan = false;
        var cleanRan = false;
        var scenario = Scenario.Create("flow", async ctx =>
            {
                await Step.Run("fast", ctx, async () => await Http.Send(ctx, new HttpRequestMessage(HttpMethod.Get, new Uri(ctx.Target!, "/fast"))));
                return await Step.Run("slow", ctx, async () => await Http.Send(ctx, new HttpRequestMessage(HttpMethod.Get, new Uri(ctx.Target!, "/delay?ms=30"))));
            })
            .WithInit(_ =>
            {
                initRan = true;
                return Task.CompletedTask;
            })
            .WithClean(_ =>
            {
                cleanRan = true;
                return Task.CompletedTask;
            })
            .WithWarmUpDuration(TimeSpan.FromSeconds(0.5))
            .WithLoadSimulations(
                Simulation.Inject(rate: 20, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(1)),
                Simulation.KeepConstant(copies: 2, during: TimeSpan.FromSeconds(1)),
                Simulation.IterationsForConstant(copies: 2, iterations: 10))
            .WithThresholds(
                Threshold.Create(stats => stats.Fail.Request.Count == 0),
                Threshold.Create("slow", step => step.Ok.Latency.P50 >= 30),
                Threshold.Parse("flow/fast:all.error_rate<1%"));

        var stats = await LoadTestRunner.RegisterScenarios(scenario).WithTarget(server.Url).WithReportFolder(_reports).RunAsync();

        Assert.True(initRan && cleanRan);
        Assert.True(stats.Passed, stats.Describe());
        var flow = stats.GetScenarioStats("flow");
        Assert.Equal("mixed", flow.Summary.Model);
        // 20/s for 1 s, then two copies for 1 s (each iteration ≥ 30 ms: at most ~66), then exactly 10 more.
        Assert.InRange(flow.Ok.Request.Count, 20 + 10 + 10, 20 + 70 + 10);
        Assert.Equal(["fast", "slow"], flow.Steps.Select(s => s.StepName));
        var slow = flow.GetStepStats("slow");
        var fast = flow.GetStepStats("fast");
        Assert.Equal(flow.Ok.Request.Count, slow.Ok.Request.Count);
        Assert.Equal(flow.Ok.Request.Count, fast.Ok.Request.Count);
        Assert.True(slow.Ok.Latency.P50 >= 30, $"slow step p50 {slow.Ok.Latency.P50} ms");
        Assert.True(fast.Ok.Latency.P50 < slow.Ok.Latency.P50, $"fast {fast.Ok.Latency.P50} ms vs slow {slow.Ok.Latency.P50} ms: steps are timed on their own");
        Assert.True(flow.Ok.Latency.P50 >= slow.Ok.Latency.P50, "an iteration takes at least its slowest step");
        Assert.Equal(3, stats.Thresholds.Count);
        foreach (var file in new[] { "report.md", "report.html", "requests.csv", "summary.json" })
        {
            Assert.True(File.Exists(Path.Combine(_reports, file)), file);
        }

        var markdown = await File.ReadAllTextAsync(Path.Combine(_reports, "report.md"));
        Assert.Contains("| flow | slow |", markdown, StringComparison.Ordinal);
        Assert.Contains("stats => stats.Fail.Request.Count == 0", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WarmUpLongerThanTheSimulations_HoldsTheLastRateForTheWholeWarmUpThenMeasuresTheSimulations()
    {
        // The soak's shape (120 s of warm-up before 60 s of Inject) in small: 1 s of warm-up before 0.5 s at 20/s. The
        // warm-up plays the simulation's 0.5 s and then holds its 20/s; the measured part is the whole simulation after it.
        // (Before: the warm-up stopped when the simulation ran out, so every iteration fell in it and the run ended early.)
        await using var server = await ScriptedServer.StartAsync();
        var scenario = Scenario.Create("soak-shape", async ctx => await Http.Send(ctx, new HttpRequestMessage(HttpMethod.Get, new Uri(ctx.Target!, "/fast"))))
            .WithWarmUpDuration(TimeSpan.FromSeconds(1))
            .WithLoadSimulations(Simulation.Inject(rate: 20, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(0.5)));

        var stats = await LoadTestRunner.RegisterScenarios(scenario).WithTarget(server.Url).WithReportFolder(_reports).RunAsync();

        var measured = stats.GetScenarioStats("soak-shape");
        Assert.Equal(30, server.Count);
        Assert.Equal(10, measured.Ok.Request.Count);
        Assert.Equal(0.5, measured.Summary.MeasuredSeconds, 3);
        Assert.InRange(measured.Summary.AchievedRate, 19.9, 20.1);
    }

    [Fact]
    public async Task Run_ServerTimingInsideSteps_ClassesEveryStepAndTheIterationAndKeepsTraceIds()
    {
        await using var server = await ScriptedServer.StartAsync();
        var traceIds = new System.Collections.Concurrent.ConcurrentBag<string>();
        var scenario = Scenario.Create("timing", async ctx =>
            {
                traceIds.Add(ctx.TraceId);
                return await Step.Run("call", ctx, async () => await Http.Send(ctx, new HttpRequestMessage(HttpMethod.Get, new Uri(server.Url, "/timing"))));
            })
            .WithLoadSimulations(Simulation.IterationsForConstant(1, 90));

        var stats = await LoadTestRunner.RegisterScenarios(scenario).WithReportFolder(_reports).RunAsync();

        var call = stats.GetScenarioStats("timing").GetStepStats("call");
        // The server names a cold start, a cache hit and a warm answer in turn.
        Assert.Equal(30, call.Summary.Classes["cold"].Corrected.Count);
        Assert.Equal(30, call.Summary.Classes["cache_hit"].Corrected.Count);
        Assert.Equal(30, call.Summary.Classes["warm"].Corrected.Count);
        Assert.Equal(850, call.Summary.Phases["cold"].P50, 0);
        var iterations = stats.GetScenarioStats("timing").Summary;
        Assert.Equal(30, iterations.Classes["cold"].Corrected.Count);
        Assert.Equal(90, traceIds.Distinct().Count());
        var csv = await File.ReadAllTextAsync(Path.Combine(_reports, "requests.csv"));
        Assert.Contains(traceIds.First(), csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DataFeedAndRampingInject_HandsItemsOutInOrderAtTheRampedRate()
    {
        await using var server = await ScriptedServer.StartAsync();
        var feed = DataFeed.Circular(["a", "b", "c"]);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var scenario = Scenario.Create("feed", ctx =>
            {
                seen.Enqueue(feed.GetNextItem(ctx));
                return Task.FromResult(Response.Ok());
            })
            .WithLoadSimulations(
                Simulation.RampingInject(rate: 100, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(1)),
                Simulation.Inject(rate: 100, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(1)));

        var stats = await LoadTestRunner.RegisterScenarios(scenario).RunAsync();

        // A ramp from 0 to 100/s over 1 s starts 50 iterations, then 100 at a constant rate.
        Assert.InRange(stats.GetScenarioStats("feed").Ok.Request.Count, 148, 151);
        Assert.InRange(seen.Count(item => item == "a"), (seen.Count / 3) - 1, (seen.Count / 3) + 1);
        Assert.InRange(seen.Count(item => item == "c"), (seen.Count / 3) - 1, (seen.Count / 3) + 1);
    }
}
