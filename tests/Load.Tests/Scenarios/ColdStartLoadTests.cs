using System.Net.Http.Json;
using System.Text.Json;
using BenchPlatform.Load.Tests.Support;
using BenchPlatform.LoadTests;
using BenchPlatform.TestCommon;
using Xunit.Abstractions;

namespace BenchPlatform.Load.Tests.Scenarios;

/// <summary>A true replica cold start: inference scaled to zero replicas, then one request held while a replica starts.</summary>
[Collection(LoadStackCollection.Name)]
public sealed class ColdStartLoadTests(StackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task ColdStart_FromZeroReplicas_TheRequestIsClassedColdAndAnsweredInTime()
    {
        var body = Bodies.Mlp(cache: false, seed: 3);
        (int Min, int Max) original = default;
        var scenario = Scenario.Create("cold_start", async ctx => await Http.Send(ctx, LoadRun.Json(ctx, HttpMethod.Post, "/v2/models/mlp/infer", body)))
            .WithInit(async init =>
            {
                var scale = await ScaleAsync(init.Client, init.Target!, init.CancellationToken);
                original = (scale.Min, scale.Max);
                await SetScaleAsync(init.Client, init.Target!, 0, 0, init.CancellationToken);
                await Wait.UntilAsync(async () => await ScaleAsync(init.Client, init.Target!, init.CancellationToken) is { Ready: 0, Desired: 0 },
                    TimeSpan.FromSeconds(60), "inference did not reach 0 ready and 0 desired replicas after PUT /v1/scale/inference max=0");
                await SetScaleAsync(init.Client, init.Target!, 0, Math.Max(1, original.Max), init.CancellationToken);
            })
            .WithClean(async clean =>
            {
                // Leave the stack as found: the bounds restored and their minimum of replicas ready again.
                await SetScaleAsync(clean.Client, clean.Target!, original.Min, original.Max, CancellationToken.None);
                await Wait.UntilAsync(async () => (await ScaleAsync(clean.Client, clean.Target!, CancellationToken.None)).Ready >= original.Min,
                    TimeSpan.FromSeconds(120), $"inference did not get back to {original.Min} ready replica(s) after the bounds were restored");
            })
            .WithLoadSimulations(Simulation.IterationsForConstant(copies: 1, iterations: 1))
            .WithThresholds(
                Threshold.Parse("all.error_rate<=0"),
                Threshold.Parse("cold.count>=1"));

        var stats = await LoadRun.RunAsync(stack, scenario, output, Limits.Control, TimeSpan.FromSeconds(4), Limits.ColdStartMax);

        var cold = stats.GetScenarioStats("cold_start").Summary;
        Assert.True(cold.Phases.TryGetValue("cold", out var held) && held.Max > 0, "Server-Timing named the time the request was held for the replica");
    }

    private static async Task<(int Min, int Max, int Ready, int Desired)> ScaleAsync(HttpMessageInvoker client, Uri target, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target, "/v1/scale"));
        using var response = await client.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var inference = json.RootElement.GetProperty("inference");
        return (inference.GetProperty("min").GetInt32(), inference.GetProperty("max").GetInt32(), inference.GetProperty("ready").GetInt32(), inference.GetProperty("desired").GetInt32());
    }

    private static async Task SetScaleAsync(HttpMessageInvoker client, Uri target, int min, int max, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(target, "/v1/scale/inference")) { Content = JsonContent.Create(new { min, max }) };
        using var response = await client.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
