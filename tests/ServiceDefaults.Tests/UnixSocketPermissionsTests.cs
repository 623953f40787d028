using System.Net;
using System.Net.Sockets;
using BenchPlatform.TestCommon;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;

namespace BenchPlatform.ServiceDefaults.Tests;

/// <summary>A service started as the AppHost starts a replica: a loopback port and a Unix socket in its URLs.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UnixSocketPermissionsTests : IAsyncLifetime
{
    private const string Token = "per-run-secret";
    private readonly string _folder = Directory.CreateTempSubdirectory("bp-sock-").FullName;
    private WebApplication _app = null!;
    private HttpClient _overSocket = null!;

    private string SocketPath => Path.Combine(_folder, "inference-0.sock");

    public async Task InitializeAsync()
    {
        File.SetUnixFileMode(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{FreePort.Next()}", $"http://unix:{SocketPath}");
        builder.Configuration["Internal:Token"] = Token;
        builder.AddServiceDefaults();
        _app = builder.Build();
        _app.MapDefaultEndpoints();
        _app.MapGet("/work", () => "done");
        await _app.StartAsync();
        var path = SocketPath;
        _overSocket = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        { BaseAddress = new Uri("http://localhost") };
    }

    public async Task DisposeAsync()
    {
        _overSocket.Dispose();
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Socket_OnceListening_IsOwnerReadWriteOnly()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));
    }

    [Fact]
    public async Task RequestOverSocket_WithoutToken_Returns401()
    {
        using var response = await _overSocket.GetAsync("/work");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task RequestOverSocket_WithToken_IsServed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/work");
        request.Headers.Add(InternalTokenOptions.HeaderName, Token);

        using var response = await _overSocket.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
    }
}
