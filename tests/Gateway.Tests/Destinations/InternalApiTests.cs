using System.Net;
using System.Text.Json;
using BenchPlatform.Gateway.Tests.Infrastructure;

namespace BenchPlatform.Gateway.Tests.Destinations;

public sealed class InternalApiTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;
    private TestReplica _replica = null!;

    public async Task InitializeAsync()
    {
        _replica = await TestReplica.StartAsync("inference-0");
        _gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["services:inference:http:0"] = _replica.Address.ToString(),
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _replica.DisposeAsync();
    }

    private const string OneReady = "{\"desired\":1,\"destinations\":[{\"id\":\"inference-0\",\"address\":\"http://127.0.0.1:5999/\",\"state\":\"ready\"}]}";

    [Fact]
    public async Task PutDestinations_WithoutToken_Returns401Problem()
    {
        using var response = await _gateway.Client.PutAsync("/_internal/clusters/inference/destinations",
            new StringContent(OneReady, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Load_WithWrongToken_Returns401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_internal/load");
        request.Headers.Add("X-Internal-Token", "test-internal-tokeX");

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task PutDestinations_UnknownCluster_Returns404Problem()
    {
        using var request = _gateway.Internal(HttpMethod.Put, "/_internal/clusters/nope/destinations", OneReady);

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("inference", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"destinations\":[]}", "desired")]
    [InlineData("{\"desired\":-1,\"destinations\":[]}", "desired")]
    [InlineData("{\"desired\":1}", "destinations")]
    [InlineData("{\"desired\":1,\"destinations\":[{\"id\":\"a\",\"address\":\"not a url\",\"state\":\"ready\"}]}", "destinations[0].address")]
    [InlineData("{\"desired\":1,\"destinations\":[{\"id\":\"a\",\"address\":\"http://127.0.0.1:1/\",\"state\":\"up\"}]}", "destinations[0].state")]
    [InlineData("{\"desired\":1,\"destinations\":[{\"id\":\"a\",\"address\":\"http://127.0.0.1:1/\",\"state\":\"ready\"},{\"id\":\"a\",\"address\":\"http://127.0.0.1:2/\",\"state\":\"ready\"}]}", "destinations[1].id")]
    [InlineData("{\"desired\":1,\"destinations\":[{\"id\":\"a\",\"address\":\"http://127.0.0.1:1/\",\"state\":\"ready\",\"unix_socket\":\"relative.sock\"}]}", "destinations[0].unix_socket")]
    [InlineData("{\"desired\":1,\"destinations\":[{\"id\":\"a\",\"address\":\"http://127.0.0.1:1/\",\"state\":\"ready\",\"unix_socket\":5}]}", "destinations[0].unix_socket")]
    [InlineData("{\"desired\":1,\"destinations\":[{\"id\":\"a\",\"address\":\"http://127.0.0.1:1/\",\"state\":\"ready\",\"unix_socket\":\"/a-path-longer-than-a-unix-socket-address-holds/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\"}]}", "destinations[0].unix_socket")]
    [InlineData("{\"desired\":1,", "body")]
    [InlineData("{\"desired\":0,\"max\":-1,\"destinations\":[]}", "max")]
    [InlineData("{\"desired\":0,\"max\":\"none\",\"destinations\":[]}", "max")]
    public async Task PutDestinations_InvalidSet_Returns400NamingTheField(string json, string field)
    {
        using var request = _gateway.Internal(HttpMethod.Put, "/_internal/clusters/inference/destinations", json);

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Load_AfterPut_ReportsReadyDesiredAndDestinations()
    {
        var second = new Uri("http://127.0.0.1:1/");
        await _gateway.PutDestinationsAsync("inference", 3,
            ("inference-0", _replica.Address, "ready"), ("inference-1", second, "starting"));

        using var request = _gateway.Internal(HttpMethod.Get, "/_internal/load");
        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var inference = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("clusters").GetProperty("inference");
        Assert.Equal(0, inference.GetProperty("inflight").GetInt32());
        Assert.Equal(0, inference.GetProperty("waiting").GetInt32());
        Assert.Equal(1, inference.GetProperty("ready").GetInt32());
        Assert.Equal(3, inference.GetProperty("desired").GetInt32());
        Assert.Equal(0, inference.GetProperty("destinations").GetProperty("inference-0").GetProperty("inflight").GetInt32());
        Assert.True(inference.GetProperty("destinations").TryGetProperty("inference-1", out _));
    }

    [Fact]
    public async Task Destinations_FromServiceDiscoveryConfiguration_AreRouted()
    {
        using var response = await _gateway.Client.GetAsync("/v2/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = JsonSerializer.Deserialize<EchoReply>(await response.Content.ReadAsStringAsync(), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        Assert.Equal("inference-0", reply!.Replica);
        Assert.Equal("/v2/health/ready", reply.Path);
    }
}
