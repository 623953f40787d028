using BenchPlatform.Load.Tests.Support;
using BenchPlatform.LoadTests;
using BenchPlatform.TestCommon;
using Xunit.Abstractions;

namespace BenchPlatform.Load.Tests.Scenarios;

/// <summary>Warm inference and prediction-cache hits through the gateway, open model, with thresholds on each class.</summary>
[Collection(LoadStackCollection.Name)]
public sealed class InferLoadTests(StackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task WarmInfer_TwentyPerSecond_WarmClassHoldsItsLatencyWithNoError()
    {
        var body = Bodies.Mlp(cache: false);
        var scenario = Scenario.Create("warm_infer", async ctx => await Http.Send(ctx, LoadRun.Json(ctx, HttpMethod.Post, "/v2/models/mlp/infer", body)))
            .WithInit(async init =>
            {
                using var warmup = new HttpRequestMessage(HttpMethod.Post, new Uri(init.Target!, "/v1/models/mlp/warmup"));
                using var response = await init.Client.SendAsync(warmup, init.CancellationToken);
                response.EnsureSuccessStatusCode();
            })
            .WithWarmUpDuration(TimeSpan.FromSeconds(2))
            .WithLoadSimulations(Simulation.Inject(rate: 20, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(5)))
            .WithThresholds(
                Threshold.Parse("all.error_rate<=0"),
                Threshold.Parse("warm.count>=95"));

        var stats = await LoadRun.RunAsync(stack, scenario, output, Limits.InferenceWorker, TimeSpan.FromSeconds(5), Limits.WarmInferP50);

        var warm = stats.GetScenarioStats("warm_infer");
        Assert.True(warm.Summary.Phases.ContainsKey("infer"), "the worker's infer phase is read from Server-Timing");
        Assert.Equal(warm.Summary.Sent, warm.Ok.Request.Count);
    }

    [Fact]
    public async Task CacheHit_SameInputTwentyPerSecond_AnsweredFromTheCacheFast()
    {
        var body = Bodies.Mlp(cache: true, seed: 7);
        var scenario = Scenario.Create("cache_hit", async ctx => await Http.Send(ctx, LoadRun.Json(ctx, HttpMethod.Post, "/v2/models/mlp/infer", body)))
            .WithWarmUpDuration(TimeSpan.FromSeconds(1))
            .WithLoadSimulations(Simulation.Inject(rate: 20, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(4)))
            .WithThresholds(
                Threshold.Parse("all.error_rate<=0"),
                Threshold.Create(stats => stats.Classes.TryGetValue("cache_hit", out var hits) && hits.Corrected.Count >= stats.Ok.Request.Count * 0.95));

        await LoadRun.RunAsync(stack, scenario, output, Limits.InferenceWorker, TimeSpan.FromSeconds(4), Limits.CacheHitP50);
    }
}
