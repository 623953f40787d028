using System.Net;
using System.Text.Json;
using BenchPlatform.Gateway.Tests.Infrastructure;
using BenchPlatform.TestCommon;
using static BenchPlatform.Gateway.Tests.Infrastructure.Requests;

namespace BenchPlatform.Gateway.Tests.Forwarding;

public sealed class ForwardingTests : IAsyncLifetime
{
    private TestReplica _a = null!;
    private TestReplica _b = null!;
    private TestReplica _sandbox = null!;
    private TestReplica _appHost = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _a = await TestReplica.StartAsync("inference-0");
        _b = await TestReplica.StartAsync("inference-1");
        _sandbox = await TestReplica.StartAsync("sandbox-0");
        _appHost = await TestReplica.StartAsync("apphost");
        _gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["services:inference:http:0"] = _a.Address.ToString(),
            ["services:inference:http:1"] = _b.Address.ToString(),
            ["services:sandbox:http:0"] = _sandbox.Address.ToString(),
            ["services:apphost:http:0"] = _appHost.Address.ToString(),
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        foreach (var replica in new[] { _a, _b, _sandbox, _appHost })
        {
            await replica.DisposeAsync();
        }
    }

    [Fact]
    public async Task Infer_ValidBody_ReachesReplicaUnchangedWithInternalToken()
    {
        using var request = Infer("mlp");
        request.Headers.Add("X-Internal-Token", "forged-by-client");

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await EchoAsync(response);
        Assert.Equal(ValidInfer, echo.Body);
        Assert.Equal("/v2/models/mlp/infer", echo.Path);
        var replica = echo.Replica == _a.Id ? _a : _b;
        Assert.All(replica.ReceivedHeaders, headers => Assert.Equal(GatewayHost.InternalToken, headers["X-Internal-Token"].ToString()));
    }

    [Fact]
    public async Task Response_FromReplica_HasGatewayTimingPrependedToReplicaTimings()
    {
        using var response = await _gateway.Client.GetAsync("/v2/health/ready");

        var timing = ServerTiming(response);
        Assert.Matches(@"^gateway;dur=\d+(\.\d+)?, queue;dur=0\.1, infer;dur=0\.4$", timing);
    }

    [Fact]
    public async Task Error_FromGateway_StillHasGatewayTiming()
    {
        using var response = await _gateway.Client.GetAsync("/nowhere");

        Assert.StartsWith("gateway;dur=", ServerTiming(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Traceparent_FromClient_ReplicaJoinsTheSameTrace()
    {
        const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/health/ready");
        request.Headers.Add("traceparent", $"00-{TraceId}-00f067aa0ba902b7-01");

        // The gateway runs in this process: keep the test's own HttpClient from starting a trace of its own.
        using var client = new HttpClient(new SocketsHttpHandler
        {
            ActivityHeadersPropagator = null,
        })
        { BaseAddress = _gateway.BaseAddress };
        using var response = await client.SendAsync(request);

        var replica = (await EchoAsync(response)).Replica == _a.Id ? _a : _b;
        var forwarded = replica.ReceivedHeaders.Last()["traceparent"].ToString();
        var parts = forwarded.Split('-');
        Assert.Equal(TraceId, parts[1]);
        Assert.NotEqual("00f067aa0ba902b7", parts[2]);
    }

    [Fact]
    public async Task Requests_WhileOneReplicaIsBusy_GoToTheLeastLoaded()
    {
        var slow = _gateway.Client.SendAsync(Infer("slow"));
        var busy = await WhichEnteredAsync();
        var idle = busy == _a ? _b : _a;

        for (var i = 0; i < 6; i++)
        {
            using var response = await _gateway.Client.GetAsync("/v2/health/ready");
            Assert.Equal(idle.Id, (await EchoAsync(response)).Replica);
        }

        using (var load = await _gateway.Client.SendAsync(_gateway.Internal(HttpMethod.Get, "/_internal/load")))
        {
            var inference = JsonDocument.Parse(await load.Content.ReadAsStringAsync()).RootElement.GetProperty("clusters").GetProperty("inference");
            Assert.Equal(1, inference.GetProperty("inflight").GetInt32());
            Assert.Equal(1, inference.GetProperty("destinations").GetProperty(busy.Id).GetProperty("inflight").GetInt32());
            Assert.Equal(0, inference.GetProperty("destinations").GetProperty(idle.Id).GetProperty("inflight").GetInt32());
        }

        busy.Release();
        using var done = await slow;
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
    }

    private async Task<TestReplica> WhichEnteredAsync()
    {
        var entered = await Task.WhenAny(_a.Entered.Task, _b.Entered.Task).WaitAsync(TimeSpan.FromSeconds(10));
        return entered == _a.Entered.Task ? _a : _b;
    }

    [Theory]
    [InlineData("draining")]
    [InlineData("starting")]
    public async Task Destination_NotReady_GetsNoRequests(string state)
    {
        await _gateway.PutDestinationsAsync("inference", 2, (_a.Id, _a.Address, "ready"), (_b.Id, _b.Address, state));

        for (var i = 0; i < 6; i++)
        {
            using var response = await _gateway.Client.GetAsync("/v2/health/ready");
            Assert.Equal(_a.Id, (await EchoAsync(response)).Replica);
        }

        Assert.Equal(0, _b.Requests);
    }

    [Fact]
    public async Task Draining_ReplicaWithRequestInFlight_StaysCountedUntilItFinishes()
    {
        await _gateway.PutDestinationsAsync("inference", 1, (_a.Id, _a.Address, "ready"));
        var slow = _gateway.Client.SendAsync(Infer("slow"));
        await _a.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await _gateway.PutDestinationsAsync("inference", 1, (_a.Id, _a.Address, "draining"), (_b.Id, _b.Address, "ready"));

        Assert.Equal(1, await DestinationInflightAsync(_a.Id));
        using (var response = await _gateway.Client.GetAsync("/v2/health/ready"))
        {
            Assert.Equal(_b.Id, (await EchoAsync(response)).Replica);
        }

        _a.Release();
        using var done = await slow;
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        await Wait.UntilAsync(async () => await DestinationInflightAsync(_a.Id) == 0,
            TimeSpan.FromSeconds(5), "the drained replica's in-flight count did not return to 0");
    }

    private async Task<int> DestinationInflightAsync(string id)
    {
        using var load = await _gateway.Client.SendAsync(_gateway.Internal(HttpMethod.Get, "/_internal/load"));
        var clusters = JsonDocument.Parse(await load.Content.ReadAsStringAsync()).RootElement.GetProperty("clusters");
        return clusters.GetProperty("inference").GetProperty("destinations").GetProperty(id).GetProperty("inflight").GetInt32();
    }

    [Fact]
    public async Task Destinations_ReplacedAtRunTime_NewReplicaServes()
    {
        await using var c = await TestReplica.StartAsync("inference-2");
        await _gateway.PutDestinationsAsync("inference", 1, (c.Id, c.Address, "ready"));

        using var response = await _gateway.Client.GetAsync("/v1/models");

        Assert.Equal(c.Id, (await EchoAsync(response)).Replica);
    }

    [Theory]
    [InlineData("GET", "/v1/models", "inference", "/v1/models")]
    [InlineData("GET", "/v1/models/mlp", "inference", "/v1/models/mlp")]
    [InlineData("GET", "/v2/models/mlp/ready", "inference", "/v2/models/mlp/ready")]
    [InlineData("POST", "/v1/blocks/run", "sandbox", "/v1/blocks/run")]
    [InlineData("GET", "/v1/scale", "apphost", "/_internal/scale")]
    [InlineData("PUT", "/v1/scale/inference", "apphost", "/_internal/scale/inference")]
    [InlineData("POST", "/v1/warmup", "apphost", "/_internal/warmup")]
    public async Task Route_ForwardsToItsCluster(string method, string path, string cluster, string replicaPath)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = Json(path switch
            {
                "/v1/blocks/run" => "{\"language\":\"python\",\"code\":\"def run(inputs):\\n    return {}\"}",
                "/v1/scale/inference" => "{\"min\":0,\"max\":4}",
                _ => "{\"models\":[\"mlp\"],\"min_replicas\":1}",
            });
        }

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await EchoAsync(response);
        Assert.StartsWith(cluster, echo.Replica, StringComparison.Ordinal);
        Assert.Equal(replicaPath, echo.Path);
        if (cluster == "apphost")
        {
            Assert.Equal(GatewayHost.InternalToken, _appHost.ReceivedHeaders.Last()["X-Internal-Token"].ToString());
        }
    }

    [Fact]
    public async Task Infer_UnknownModel_Passes404ProblemThrough()
    {
        using var response = await _gateway.Client.SendAsync(Infer("unknown"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Contains("unknown", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ReportReadyAndDesiredReplicasPerClusterAsTheAppHostSendsThem()
    {
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        // Every gateway of this test run reports to the same listener: keep all values, look for this one's.
        var values = new System.Collections.Concurrent.ConcurrentBag<(string Name, int Value)>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "BenchPlatform" && instrument.Name.StartsWith("gateway.cluster.replicas.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "cluster" && (string)tag.Value! == "inference")
                {
                    values.Add((instrument.Name, value));
                }
            }
        });
        listener.Start();

        await _gateway.PutDestinationsAsync("inference", 3, (_a.Id, _a.Address, "ready"), (_b.Id, _b.Address, "starting"));
        listener.RecordObservableInstruments();

        Assert.Contains(("gateway.cluster.replicas.ready", 1), values);
        Assert.Contains(("gateway.cluster.replicas.desired", 3), values);
    }

    [Fact]
    public async Task Metrics_ReportInflightPerCluster()
    {
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        var inflight = new Dictionary<string, int>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "BenchPlatform" && instrument.Name == "gateway.cluster.inflight")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "cluster")
                {
                    inflight[(string)tag.Value!] = value;
                }
            }
        });
        listener.Start();
        var slow = _gateway.Client.SendAsync(Infer("slow"));
        var busy = await WhichEnteredAsync();

        await Wait.UntilAsync(() =>
        {
            listener.RecordObservableInstruments();
            return Task.FromResult(inflight.GetValueOrDefault("inference") == 1);
        }, TimeSpan.FromSeconds(5), "gateway.cluster.inflight did not report the in-flight request");

        busy.Release();
        (await slow).Dispose();
    }
}
