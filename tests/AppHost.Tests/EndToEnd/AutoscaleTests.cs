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
            request.Content = JsonContent.Create(new { min = 2, max = 2 });
            using var response = await stack.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var state = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(2, state.GetProperty("min").GetInt32());
            Assert.Equal(2, state.GetProperty("max").GetInt32());
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

    [Fact]
    public async Task PutScale_MaxZero_DrainsAtOnceRefusesRequestsThenRaisedMaxColdStartsAgain()
    {
        // A long window: reaching zero within the test's bound shows max 0 does not wait for it.
        await using var stack = AppHostProcess.Start(["--AppHost:Autoscale:inference:ScaleDownWindow=00:10:00"]);
        await stack.WaitHealthyAsync(TimeSpan.FromSeconds(120));

        var zero = await PutScaleAsync(stack, "{\"min\":0,\"max\":0}");
        Assert.Equal(0, zero.GetProperty("max").GetInt32());
        Assert.Equal(0, zero.GetProperty("desired").GetInt32());
        await Wait.UntilAsync(() => Task.FromResult(!stack.Descendants().Any(c => c.CommandLine.Contains("InferenceWorker.Gpu.dll", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(60), "max 0 did not stop the inference replica");
        Assert.Contains("inference-0: draining", stack.Output, StringComparison.Ordinal);

        // Refused at once (the gateway's hold timeout is 60 s), with Retry-After, and no replica is started for it.
        using (var refused = await stack.Http.PostAsync(new Uri(stack.GatewayUrl, "v2/models/mlp/infer"), Infer()))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("scaled to zero by an operator", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, (await ScaleAsync(stack)).GetProperty("desired").GetInt32());
        Assert.DoesNotContain(stack.Descendants(), c => c.CommandLine.Contains("InferenceWorker.Gpu.dll", StringComparison.Ordinal));

        var restored = await PutScaleAsync(stack, "{\"min\":0,\"max\":2}");
        Assert.Equal(2, restored.GetProperty("max").GetInt32());
        using var served = await stack.Http.PostAsync(new Uri(stack.GatewayUrl, "v2/models/mlp/infer"), Infer());

        Assert.True(served.StatusCode == HttpStatusCode.OK, await served.Content.ReadAsStringAsync());
        Assert.Contains("cold;dur=", string.Join(",", served.Headers.GetValues("Server-Timing")), StringComparison.Ordinal);
        Assert.Equal(1, (await ScaleAsync(stack)).GetProperty("desired").GetInt32());
        Assert.Empty(await stack.StopAsync());
    }

    private static StringContent Infer() => new(
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,784],\"datatype\":\"FP32\",\"data\":[" + string.Join(",", Enumerable.Repeat("0.5", 784)) + "]}],\"parameters\":{\"cache\":false}}",
        System.Text.Encoding.UTF8, "application/json");

    private static async Task<JsonElement> PutScaleAsync(AppHostProcess stack, string body)
    {
        using var request = stack.ControlRequest(HttpMethod.Put, "_internal/scale/inference");
        request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await stack.Http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> ScaleAsync(AppHostProcess stack)
    {
        using var request = stack.ControlRequest(HttpMethod.Get, "_internal/scale");
        using var response = await stack.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("inference");
    }
}
