using System.Net.Sockets;
using System.Text;
using BenchPlatform.TestCommon;

namespace BenchPlatform.SandboxRunner.Tests.Corpus;

/// <summary>A 1 GB input against the runner on a real socket (Kestrel, not the in-memory test server).</summary>
public sealed class OversizedInputTests : IAsyncLifetime
{
    private readonly SandboxFactory _factory = new(new Dictionary<string, string?> { ["Sandbox:PoolSize"] = "1" });
    private readonly int _port = FreePort.Next();

    public Task InitializeAsync()
    {
        _factory.UseKestrel(_port);
        _factory.StartServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task OneGigabyteInput_IsRefusedWith400BeforeItIsSent()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", _port);
        var stream = tcp.GetStream();
        var head = $"POST /v1/blocks/run HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Internal-Token: {SandboxFactory.Token}\r\n" +
                   "Content-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{\"code\":\"def run(i):\\n    return i\",\"inputs\":{\"x\":\"";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var statusLine = await reader.ReadLineAsync(timeout.Token);

        Assert.Equal("HTTP/1.1 400 Bad Request", statusLine);
        string? line;
        var headers = new List<string>();
        while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync(timeout.Token)))
        {
            headers.Add(line);
        }

        Assert.Contains("Content-Type: application/problem+json", headers);
    }
}
