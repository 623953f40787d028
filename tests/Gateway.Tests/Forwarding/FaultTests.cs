using System.Diagnostics;
using System.Net;
using BenchPlatform.Gateway.Tests.Infrastructure;
using BenchPlatform.TestCommon;
using static BenchPlatform.Gateway.Tests.Infrastructure.Requests;

namespace BenchPlatform.Gateway.Tests.Forwarding;

public sealed class FaultTests : IAsyncLifetime
{
    private TestReplica _a = null!;
    private TestReplica _b = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _a = await TestReplica.StartAsync("inference-0");
        _b = await TestReplica.StartAsync("inference-1");
        _gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["services:inference:http:0"] = _a.Address.ToString(),
            ["services:sandbox:http:0"] = _b.Address.ToString(),
            ["Gateway:RequestTimeout"] = "00:00:01",
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private Task BothReadyAsync() =>
        _gateway.PutDestinationsAsync("inference", 2, (_a.Id, _a.Address, "ready"), (_b.Id, _b.Address, "ready"));

    [Fact]
    public async Task Replica_Hangs_Returns504Problem()
    {
        var watch = Stopwatch.StartNew();
        using var response = await _gateway.Client.SendAsync(Infer("hang"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        await ProblemAsync(response);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Replica_ClosesBeforeAnswering_Returns503ProblemWithRetryAfter()
    {
        using var response = await _gateway.Client.SendAsync(Infer("close"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        await ProblemAsync(response);
    }

    [Fact]
    public async Task Replica_ClosesMidResponse_ClientConnectionIsAbortedAndGatewayServesOn()
    {
        await using var truncating = new TruncatingReplica();
        await _gateway.PutDestinationsAsync("inference", 1, ("truncating", truncating.Address, "ready"));

        var failure = await Record.ExceptionAsync(async () =>
        {
            using var response = await _gateway.Client.SendAsync(Infer("mlp"));
            await response.Content.ReadAsStringAsync();
        });

        Assert.True(failure is HttpRequestException or IOException, failure?.ToString() ?? "the truncated response was delivered as complete");
        await _gateway.PutDestinationsAsync("inference", 1, (_a.Id, _a.Address, "ready"));
        using var next = await _gateway.Client.SendAsync(Infer("mlp"));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    /// <summary>
    /// Makes <c>_b</c> (healthy) the more loaded replica by parking a slow request on it, so least-loaded
    /// balancing sends the next request to <c>_a</c> (faulty) first and the retry has to move it to <c>_b</c>.
    /// </summary>
    private async Task<Task<HttpResponseMessage>> ParkSlowRequestOnBAsync()
    {
        await _gateway.PutDestinationsAsync("inference", 1, (_b.Id, _b.Address, "ready"));
        var slow = _gateway.Client.SendAsync(Infer("slow"));
        await _b.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await BothReadyAsync();
        return slow;
    }

    [Fact]
    public async Task Infer_FirstReplicaCloses_RetriedOnceOnTheOther()
    {
        var slow = await ParkSlowRequestOnBAsync();
        _a.ForcedBehavior = "close";

        using var response = await _gateway.Client.SendAsync(Infer("mlp"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_b.Id, (await EchoAsync(response)).Replica);
        Assert.Equal(1, _a.Requests);
        _b.Release();
        (await slow).Dispose();
    }

    [Fact]
    public async Task Get_FirstReplicaAnswers503_RetriedOnTheOther()
    {
        var slow = await ParkSlowRequestOnBAsync();
        _a.ForcedBehavior = "busy";

        using var response = await _gateway.Client.GetAsync("/v2/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_b.Id, (await EchoAsync(response)).Replica);
        Assert.Equal(1, _a.Requests);
        _b.Release();
        (await slow).Dispose();
    }

    [Fact]
    public async Task Infer_OnlyReplicaAnswers503_PassesItsAnswerThrough()
    {
        _a.ForcedBehavior = "busy";

        using var response = await _gateway.Client.SendAsync(Infer("mlp"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("busy", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, _a.Requests);
    }

    [Fact]
    public async Task NonIdempotentPost_ReplicaCloses_IsNotRetried()
    {
        await using var second = await TestReplica.StartAsync("sandbox-1");
        _b.ForcedBehavior = "close";
        second.ForcedBehavior = "close";
        await _gateway.PutDestinationsAsync("sandbox", 2, (_b.Id, _b.Address, "ready"), (second.Id, second.Address, "ready"));

        using var response = await _gateway.Client.PostAsync("/v1/blocks/run", Json("{\"language\":\"python\",\"code\":\"x\"}"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(1, _b.Requests + second.Requests);
    }

    [Fact]
    public async Task AllReplicasDown_Returns503WithRetryAfterQuickly()
    {
        await _gateway.PutDestinationsAsync("inference", 2,
            ("dead-0", new Uri($"http://127.0.0.1:{FreePort.Next()}/"), "ready"),
            ("dead-1", new Uri($"http://127.0.0.1:{FreePort.Next()}/"), "ready"));
        var watch = Stopwatch.StartNew();

        using var response = await _gateway.Client.SendAsync(Infer("mlp"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        await ProblemAsync(response);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task AllReplicasFailingHealth_Returns503AtOnceNotHeld()
    {
        _a.HealthStatus = 503;
        await Wait.UntilAsync(async () =>
        {
            using var load = await _gateway.Client.SendAsync(_gateway.Internal(HttpMethod.Get, "/_internal/load"));
            return (await load.Content.ReadAsStringAsync()).Contains("\"inference\":{\"inflight\":0,\"waiting\":0,\"ready\":0", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10), "active health checks did not take the failing replica out of rotation");
        var watch = Stopwatch.StartNew();

        using var response = await _gateway.Client.SendAsync(Infer("mlp"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }
}
