using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchPlatform.TestCommon;

namespace BenchPlatform.AppHost.Tests.EndToEnd;

[Collection(StackCollection.Name)]
public sealed class AutoscaleTests
{
    [Fact]
    public async Task Inference_MinZero_FirstRequestIsHeldAndServedThenIdleScalesBackToZero()
    {
        await using var stack = AppHostProcess.Start(
            ["--AppHost:Autoscale:inference:Min=0", "--AppHost:Autoscale:inference:ScaleDownWindow=00:00:02"]);
        await stack.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(0, (await ScaleAsync(stack)).GetProperty("desired").GetInt32());
        Assert.DoesNotContain(stack.Descendants(), c => c.CommandLine.Contains("InferenceWorker.Gpu.dll", StringComparison.Ordinal));

        // Any route of the inference cluster: the gateway holds it until a replica is ready, then forwards it.
        using var response = await stack.Http.GetAsync(new Uri(stack.GatewayUrl, "v2/health/ready"));

        Assert.NotEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("cold;dur=", string.Join(",", response.Headers.GetValues("Server-Timing")), StringComparison.Ordinal);
        Assert.Contains("inference: scale 0 -> 1", stack.Output, StringComparison.Ordinal);
        await Wait.UntilAsync(async () => (await ScaleAsync(stack)).GetProperty("desired").GetInt32() == 0,
            TimeSpan.FromSeconds(30), "Inference did not scale back to zero after the idle window");
        await Wait.UntilAsync(() => Task.FromResult(!stack.Descendants().Any(c => c.CommandLine.Contains("InferenceWorker.Gpu.dll", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30), "The drained replica's process did not stop");
        Assert.Contains("inference-0: draining", stack.Output, StringComparison.Ordinal);
        Assert.Empty(await stack.StopAsync());
    }

    [Fact]
    public async Task Demand_WithNoReplica_StartsOneThatTheGatewayPutsInRotation()
    {
        await using var stack = AppHostProcess.Start(["--AppHost:Autoscale:inference:Min=0"]);
        await stack.WaitHealthyAsync(TimeSpan.FromSeconds(120));

        using (var demand = stack.ControlRequest(HttpMethod.Post, "_internal/demand/inference"))
        using (var accepted = await stack.Http.SendAsync(demand))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        await Wait.UntilAsync(async () => (await stack.GetGatewayHealthAsync())?.GetProperty("workers").GetProperty("ready").GetInt32() == 1,
            TimeSpan.FromSeconds(60), "The gateway did not get a ready inference replica after the demand call");
        Assert.Empty(await stack.StopAsync());
    }

    [Fact]
    public async Task PutScale_MinTwo_StartsASecondReplicaThatTheGatewayRoutesTo()
    {
        await using var stack = AppHostProcess.Start();
        await stack.WaitHealthyAsync(TimeSpan.FromSeconds(120));

        using (var request = stack.ControlRequest(HttpMethod.Put, "_internal/scale/inference"))
        {
            request.Content = JsonContent.Create(new { min = 2, max = 3 });
            using var response = await stack.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var state = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(2, state.GetProperty("min").GetInt32());
            Assert.Equal(3, state.GetProperty("max").GetInt32());
            Assert.Equal(2, state.GetProperty("desired").GetInt32());
        }

        await Wait.UntilAsync(async () =>
        {
            var workers = (await stack.GetGatewayHealthAsync())?.GetProperty("workers");
            return workers?.GetProperty("ready").GetInt32() == 2 && workers?.GetProperty("desired").GetInt32() == 2;
        }, TimeSpan.FromSeconds(60), "The gateway did not report two ready inference replicas");
        Assert.Equal(2, stack.Descendants().Count(c => c.CommandLine.Contains("InferenceWorker.Gpu.dll", StringComparison.Ordinal)));
        Assert.Equal(2, (await ScaleAsync(stack)).GetProperty("ready").GetInt32());
        Assert.Empty(await stack.StopAsync());
    }

    private static async Task<JsonElement> ScaleAsync(AppHostProcess stack)
    {
        using var request = stack.ControlRequest(HttpMethod.Get, "_internal/scale");
        using var response = await stack.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("inference");
    }
}
