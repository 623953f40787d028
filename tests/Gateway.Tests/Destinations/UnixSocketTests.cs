using System.Net;
using BenchPlatform.Gateway.Tests.Infrastructure;
using BenchPlatform.TestCommon;
using static BenchPlatform.Gateway.Tests.Infrastructure.Requests;

namespace BenchPlatform.Gateway.Tests.Destinations;

/// <summary>The same-machine hop: a replica the AppHost names a Unix domain socket for is reached over that socket.</summary>
public sealed class UnixSocketTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bp-gw-sock-").FullName;
    private TestReplica _replica = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _replica = await TestReplica.StartAsync("inference-0", Path.Combine(_folder, "inference-0.sock"));
        _gateway = await GatewayHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _replica.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Infer_ReplicaWithUnixSocket_IsForwardedOverTheSocketWithInternalToken()
    {
        await PutAsync(_replica.Address, _replica.UnixSocket);

        using var response = await _gateway.Client.SendAsync(Infer("mlp"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await EchoAsync(response);
        Assert.Equal("inference-0", echo.Replica);
        Assert.Equal(ValidInfer, echo.Body);
        Assert.Equal(1, _replica.Requests);
        Assert.Equal(1, _replica.RequestsOverUnixSocket);
        Assert.All(_replica.ReceivedHeaders, headers => Assert.Equal(GatewayHost.InternalToken, headers["X-Internal-Token"].ToString()));
    }

    [Fact]
    public async Task Infer_SocketNamedForAClosedPort_StillAnswersThroughTheSocket()
    {
        var closed = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        await PutAsync(closed, _replica.UnixSocket);

        using var response = await _gateway.Client.SendAsync(Infer("mlp"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _replica.RequestsOverUnixSocket);
    }

    [Fact]
    public async Task Infer_DestinationWithoutUnixSocket_IsForwardedOverTcp()
    {
        await PutAsync(_replica.Address, unixSocket: null);

        using var response = await _gateway.Client.SendAsync(Infer("mlp"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _replica.Requests);
        Assert.Equal(0, _replica.RequestsOverUnixSocket);
    }

    [Fact]
    public async Task Infer_SocketGone_Returns503WithRetryAfter()
    {
        await PutAsync(new Uri($"http://127.0.0.1:{FreePort.Next()}/"), Path.Combine(_folder, "missing.sock"));

        using var response = await _gateway.Client.SendAsync(Infer("mlp"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(0, _replica.Requests);
    }

    private async Task PutAsync(Uri address, string? unixSocket)
    {
        var socket = unixSocket is null ? "" : $",\"unix_socket\":\"{unixSocket}\"";
        using var request = _gateway.Internal(HttpMethod.Put, "/_internal/clusters/inference/destinations",
            $"{{\"desired\":1,\"destinations\":[{{\"id\":\"inference-0\",\"address\":\"{address}\",\"state\":\"ready\"{socket}}}]}}");
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
