using System.Text.Json;
using BenchPlatform.Load.Tests.Support;
using BenchPlatform.LoadTests;
using BenchPlatform.LoadTests.Engine;
using BenchPlatform.TestCommon;
using Xunit.Abstractions;

namespace BenchPlatform.Load.Tests.Scenarios;

/// <summary>A Python code block in the sandbox at a fixed rate; the result's <c>start</c> (warm or cold jail) is its class.</summary>
[Collection(LoadStackCollection.Name)]
public sealed class BlockLoadTests(StackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task CodeBlock_TwoPerSecond_EveryRunOkAndWarmRunsHoldTheirLatency()
    {
        var bodies = DataFeed.Random(Enumerable.Range(1, 20).Select(Bodies.Block));
        var scenario = Scenario.Create("code_block", async ctx => await Http.Send(ctx, LoadRun.Json(ctx, HttpMethod.Post, "/v1/blocks/run", bodies.GetNextItem(ctx)), ReadResultAsync))
            .WithInit(async init =>
            {
                // The first run of a stack starts its jail pool (seconds): not what this scenario measures.
                using var first = new HttpRequestMessage(HttpMethod.Post, new Uri(init.Target!, "/v1/blocks/run")) { Content = new ByteArrayContent(Bodies.Block(1)) { Headers = { { "Content-Type", "application/json" } } } };
                using var response = await init.Client.SendAsync(first, init.CancellationToken);
                response.EnsureSuccessStatusCode();
            })
            .WithWarmUpDuration(TimeSpan.FromSeconds(2))
            .WithLoadSimulations(Simulation.Inject(rate: 2, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(5)))
            .WithThresholds(
                Threshold.Parse("all.error_rate<=0", abortWhenErrorCount: 1));

        await LoadRun.RunAsync(stack, scenario, output, Limits.Sandbox, TimeSpan.FromSeconds(5), Limits.BlockWarmP50);
    }

    /// <summary>A block's own failure is a 200 with a status other than ok: a failed iteration here.</summary>
    private static async ValueTask<BodyReading> ReadResultAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var result = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var ok = result.RootElement.GetProperty("status").GetString() == "ok" && result.RootElement.GetProperty("outputs").GetProperty("y").GetInt32() > 0;
        var start = result.RootElement.TryGetProperty("start", out var s) ? s.GetString() : null;
        return new BodyReading(ok, Class: start == "cold" ? RequestClass.Cold : RequestClass.Warm);
    }
}
