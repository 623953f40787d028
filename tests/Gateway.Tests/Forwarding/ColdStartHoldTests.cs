using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using BenchPlatform.Gateway.Tests.Infrastructure;
using BenchPlatform.TestCommon;
using static BenchPlatform.Gateway.Tests.Infrastructure.Requests;

namespace BenchPlatform.Gateway.Tests.Forwarding;

public sealed class ColdStartHoldTests : IAsyncLifetime
{
    private TestReplica _appHost = null!;

    public async Task InitializeAsync() => _appHost = await TestReplica.StartAsync("apphost");

    public async Task DisposeAsync() => await _appHost.DisposeAsync();

    private Task<GatewayHost> StartColdGatewayAsync(string holdTimeout = "00:00:30") => GatewayHost.StartAsync(new Dictionary<string, string?>
    {
        ["services:apphost:http:0"] = _appHost.Address.ToString(),
        ["Gateway:HoldTimeout"] = holdTimeout,
    });

    private static async Task<JsonElement> LoadAsync(GatewayHost gateway)
    {
        using var response = await gateway.Client.SendAsync(gateway.Internal(HttpMethod.Get, "/_internal/load"));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("clusters").GetProperty("inference").Clone();
    }

    [Fact]
    public async Task Request_NoReadyReplica_IsHeldAndForwardedWhenOneBecomesReady()
    {
        await using var gateway = await StartColdGatewayAsync();
        await using var replica = await TestReplica.StartAsync("inference-0");

        var held = gateway.Client.SendAsync(Infer("mlp"));
        await Wait.UntilAsync(async () => (await LoadAsync(gateway)).GetProperty("waiting").GetInt32() == 1,
            TimeSpan.FromSeconds(10), "the request was not counted as waiting");
        Assert.False(held.IsCompleted);

        await gateway.PutDestinationsAsync("inference", 1, (replica.Id, replica.Address, "starting"));
        Assert.False(held.IsCompleted);
        await gateway.PutDestinationsAsync("inference", 1, (replica.Id, replica.Address, "ready"));
        using var response = await held.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(replica.Id, (await EchoAsync(response)).Replica);
        var timing = ServerTiming(response);
        var cold = double.Parse(Regex.Match(timing, @"cold;dur=([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(cold > 0, timing);
        Assert.Matches(@"^gateway;dur=[\d.]+, cold;dur=[\d.]+, queue;dur=0\.1, infer;dur=0\.4$", timing);
        Assert.Equal(0, (await LoadAsync(gateway)).GetProperty("waiting").GetInt32());
    }

    [Fact]
    public async Task Request_Held_SignalsDemandToTheAppHostWithTheToken()
    {
        await using var gateway = await StartColdGatewayAsync("00:00:05");

        var held = gateway.Client.SendAsync(Infer("mlp"));
        await Wait.UntilAsync(() => Task.FromResult(_appHost.Requests > 0), TimeSpan.FromSeconds(10), "no demand call reached the AppHost");

        var headers = _appHost.ReceivedHeaders.Single();
        Assert.Equal(GatewayHost.InternalToken, headers["X-Internal-Token"].ToString());
        await using var replica = await TestReplica.StartAsync("inference-0");
        await gateway.PutDestinationsAsync("inference", 1, (replica.Id, replica.Address, "ready"));
        using var response = await held;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Request_NoReplicaWithinHoldTimeout_Returns503WithRetryAfterAndColdTiming()
    {
        await using var gateway = await StartColdGatewayAsync("00:00:00.300");

        using var response = await gateway.Client.SendAsync(Infer("mlp"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = await ProblemAsync(response);
        Assert.Contains("0.3 s", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Matches(@"cold;dur=(3\d\d|[4-9]\d\d|\d{4,})", ServerTiming(response));
    }

    [Fact]
    public async Task Load_WhileHeld_CountsWaitingNotInflight()
    {
        await using var gateway = await StartColdGatewayAsync();

        var first = gateway.Client.SendAsync(Infer("mlp"));
        var second = gateway.Client.GetAsync("/v2/health/ready");
        await Wait.UntilAsync(async () => (await LoadAsync(gateway)).GetProperty("waiting").GetInt32() == 2,
            TimeSpan.FromSeconds(10), "two held requests were not counted as waiting");

        var load = await LoadAsync(gateway);
        Assert.Equal(0, load.GetProperty("inflight").GetInt32());
        Assert.Equal(0, load.GetProperty("ready").GetInt32());
        await using var replica = await TestReplica.StartAsync("inference-0");
        await gateway.PutDestinationsAsync("inference", 1, (replica.Id, replica.Address, "ready"));
        (await first).Dispose();
        (await second).Dispose();
    }

    [Fact]
    public async Task Request_ClusterScaledToZeroByOperator_Returns503AtOnceWithRetryAfterAndNoDemand()
    {
        // A 60 s hold timeout: an answer well before it shows the request was refused, not held until the timeout.
        await using var gateway = await StartColdGatewayAsync("00:01:00");
        await gateway.PutReplicaSetAsync("inference", 0, 0);

        using var response = await gateway.Client.SendAsync(Infer("mlp")).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = await ProblemAsync(response);
        Assert.Equal("Scaled to zero", problem.GetProperty("title").GetString());
        Assert.Equal("/docs/api.md#scaled-to-zero", problem.GetProperty("type").GetString());
        Assert.Contains("scaled to zero by an operator", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("PUT /v1/scale/inference", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _appHost.Requests);
        Assert.Equal(0, (await LoadAsync(gateway)).GetProperty("waiting").GetInt32());
    }

    [Fact]
    public async Task Request_HeldWhenOperatorScalesToZero_IsReleasedWith503()
    {
        await using var gateway = await StartColdGatewayAsync("00:01:00");
        var held = gateway.Client.SendAsync(Infer("mlp"));
        await Wait.UntilAsync(async () => (await LoadAsync(gateway)).GetProperty("waiting").GetInt32() == 1,
            TimeSpan.FromSeconds(10), "the request was not held");

        await gateway.PutReplicaSetAsync("inference", 0, 0);
        using var response = await held.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("Scaled to zero", (await ProblemAsync(response)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Request_AfterMaxRaisedFromZero_IsHeldAndServedAgain()
    {
        await using var gateway = await StartColdGatewayAsync();
        await gateway.PutReplicaSetAsync("inference", 0, 0);
        using (var refused = await gateway.Client.SendAsync(Infer("mlp")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        await gateway.PutReplicaSetAsync("inference", 0, 4);
        var held = gateway.Client.SendAsync(Infer("mlp"));
        await Wait.UntilAsync(async () => (await LoadAsync(gateway)).GetProperty("waiting").GetInt32() == 1,
            TimeSpan.FromSeconds(10), "the request was not held after max was raised");
        await using var replica = await TestReplica.StartAsync("inference-0");
        await gateway.PutReplicaSetAsync("inference", 1, 4, (replica.Id, replica.Address, "ready"));
        using var response = await held.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(replica.Id, (await EchoAsync(response)).Replica);
    }

    [Fact]
    public async Task Sandbox_NoReplica_Returns503AtOnceNotHeld()
    {
        await using var gateway = await StartColdGatewayAsync();

        using var response = await gateway.Client.PostAsync("/v1/blocks/run", Json("{\"language\":\"python\",\"code\":\"x\"}"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.DoesNotContain("cold;", ServerTiming(response), StringComparison.Ordinal);
    }
}
