using BenchPlatform.LoadTests.Engine;
using BenchPlatform.LoadTests.Results;
using BenchPlatform.LoadTests.Tests.Support;

namespace BenchPlatform.LoadTests.Tests.Engine;

public sealed class ClosedModelTests
{
    [Fact]
    public async Task ClosedModel_Iterations_SendsExactlyThatManyWithAtMostNInFlight()
    {
        await using var server = await ScriptedServer.StartAsync();
        var (engine, handler) = Runs.Engine(16);
        using var _ = handler;

        var run = await engine.RunClosedAsync(Runs.Get(new Uri(server.Url, "/delay?ms=5")), new ClosedModel(4, 200, TimeSpan.Zero, TimeSpan.Zero), CancellationToken.None);
        var summary = Summarizer.Summarize("t", "closed", run);

        Assert.Equal(200, server.Count);
        Assert.Equal(200, summary.Sent);
        Assert.Equal(200, summary.Ok);
        Assert.Equal(4, server.MaxInFlight);
        Assert.Equal(200, run.Records.Select(r => r.Sequence).Distinct().Count());
        Assert.True(summary.Classes["all"].Corrected.P50 >= 5);
    }

    [Fact]
    public async Task ClosedModel_Duration_StopsOnTimeAndExcludesWarmup()
    {
        await using var server = await ScriptedServer.StartAsync();
        var (engine, handler) = Runs.Engine(16);
        using var _ = handler;

        var run = await engine.RunClosedAsync(Runs.Get(new Uri(server.Url, "/delay?ms=20")), new ClosedModel(2, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.3)), CancellationToken.None);
        var summary = Summarizer.Summarize("t", "closed", run);

        Assert.Equal(server.Count, run.Records.Length);
        Assert.Contains(run.Records, r => r.Warmup);
        Assert.Equal(run.Records.Count(r => !r.Warmup), summary.Sent);
        // 2 clients × at least 20 ms per request for 1 s: never more than 2 × 1 s / 20 ms (+ the two that straddle the end).
        Assert.InRange(summary.Sent, 10, 102);
        Assert.InRange(run.MeasuredSeconds, 0.95, 5);
        Assert.Equal(0, summary.Dropped);
    }
}
