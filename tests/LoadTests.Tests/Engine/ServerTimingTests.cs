using BenchPlatform.LoadTests.Engine;
using BenchPlatform.LoadTests.Results;
using BenchPlatform.LoadTests.Tests.Support;

namespace BenchPlatform.LoadTests.Tests.Engine;

public sealed class ServerTimingTests
{
    private static RequestRecord Parse(string header)
    {
        var record = new RequestRecord { GatewayMs = float.NaN, QueueMs = float.NaN, ColdMs = float.NaN, InferMs = float.NaN, LoadMs = float.NaN };
        ServerTiming.Apply(header, ref record);
        return record;
    }

    [Fact]
    public void Apply_ApiExample_ReadsEveryPhaseAndClassifiesCold()
    {
        var record = Parse("gateway;dur=0.1, queue;dur=0.0, cold;dur=850, cache;desc=hit, infer;dur=0.4");

        Assert.Equal(0.1f, record.GatewayMs);
        Assert.Equal(0f, record.QueueMs);
        Assert.Equal(850f, record.ColdMs);
        Assert.Equal(0.4f, record.InferMs);
        Assert.Equal(CacheState.Hit, record.Cache);
        Assert.Equal(RequestClass.Cold, ServerTiming.Classify(record));
    }

    [Theory]
    [InlineData("gateway;dur=0.1, cache;desc=hit", RequestClass.CacheHit)]
    [InlineData("gateway;dur=0.1, cache;desc=\"hit\"", RequestClass.CacheHit)]
    [InlineData("gateway;dur=0.2, queue;dur=0.1, cache;desc=miss, infer;dur=0.5", RequestClass.Warm)]
    [InlineData("gateway;dur=0.2, load;dur=120, infer;dur=3", RequestClass.Cold)]
    [InlineData("cold", RequestClass.Cold)]
    [InlineData("COLD;DUR=12.5", RequestClass.Cold)]
    [InlineData("", RequestClass.Warm)]
    [InlineData("garbage;;;, =, ;dur=x, infer;dur=abc", RequestClass.Warm)]
    public void Classify_ServerTimingHeader_GivesTheClass(string header, RequestClass expected)
    {
        Assert.Equal(expected, ServerTiming.Classify(Parse(header)));
    }

    [Fact]
    public async Task Engine_ServerTimingOfEveryClass_SeparatesHistogramsAndAggregatesPhases()
    {
        await using var server = await ScriptedServer.StartAsync();
        var (engine, handler) = Runs.Engine(4);
        using var _ = handler;

        var run = await engine.RunClosedAsync(Runs.Get(new Uri(server.Url, "/timing")), new LoadTests.Engine.ClosedModel(1, 90, TimeSpan.Zero, TimeSpan.Zero), CancellationToken.None);
        var summary = Summarizer.Summarize("t", "classes", run);

        Assert.Equal(30, summary.Classes["cold"].Corrected.Count);
        Assert.Equal(30, summary.Classes["cache_hit"].Corrected.Count);
        Assert.Equal(30, summary.Classes["warm"].Corrected.Count);
        Assert.Equal(90, summary.Classes["all"].Corrected.Count);
        Assert.Equal(30, summary.Phases["cold"].Count);
        Assert.Equal(850, summary.Phases["cold"].P50, 0);
        Assert.Equal(60, summary.Phases["infer"].Count);
        Assert.Equal(90, summary.Phases["gateway"].Count);
        Assert.All(run.Records, r => Assert.Equal(r.Class == RequestClass.Cold, r.ColdMs > 0));
    }
}
