using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchPlatform.Gateway.Forwarding;
using BenchPlatform.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static BenchPlatform.Gateway.Tests.Infrastructure.Requests;

namespace BenchPlatform.Gateway.Tests.Forwarding;

/// <summary>A model whose adaptive concurrency limit is full: its infer requests are refused at once, before their bodies.</summary>
public sealed class AdaptiveConcurrencyTests : IAsyncLifetime
{
    private TestReplica _replica = null!;
    private GatewayHost _gateway = null!;

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

    private void FillLimit(string model)
    {
        var limit = _gateway.Services.GetRequiredService<ConcurrencyLimits>().For(model);
        while (limit.TryEnter())
        {
        }
    }

    [Fact]
    public async Task Full_InferRequest_Is503OverloadedWithRetryAfterAndNeverReachesAReplica()
    {
        FillLimit("mlp");

        using var response = await _gateway.Client.SendAsync(Infer("mlp"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = await ProblemAsync(response);
        Assert.Equal("Overloaded", problem.GetProperty("title").GetString());
        Assert.Contains("Gateway:AdaptiveConcurrency", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _replica.Requests);
        using var other = await _gateway.Client.SendAsync(Infer("other-model"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Full_LargeUploadExpecting100Continue_IsRefusedBeforeAnyOfItsBodyIsSent()
    {
        FillLimit("mlp");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _gateway.Port);
        var head = "POST /v2/models/mlp/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
                   "Content-Length: 4000000\r\nExpect: 100-continue\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));

        // No body byte is sent: the answer must come on the headers alone, and be the refusal, not "100 Continue".
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.NotEqual(0, read);
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.StartsWith("HTTP/1.1 503 ", answer.ToString(), StringComparison.Ordinal);
        Assert.Contains("Retry-After:", answer.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, _replica.Requests);
    }
}
