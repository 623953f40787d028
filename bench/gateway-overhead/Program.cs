using System.Net;
using System.Net.Sockets;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

// Usage: GatewayOverhead backend <port> | GatewayOverhead bare-proxy <port> <backend-url> [unix-socket-path] [h2]
// With a socket path the proxy reaches the backend over that Unix domain socket (the URL names the destination);
// with h2 it speaks HTTP/2 without TLS (h2c) to the backend.
if (args.Length < 2 || (args[0] == "bare-proxy" && args.Length < 3))
{
    Console.Error.WriteLine("usage: GatewayOverhead backend <port> | bare-proxy <port> <backend-url> [unix-socket-path] [h2]");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{args[1]}");

if (args[0] == "backend")
{
    var app = builder.Build();
    app.MapGet("/v2/health/ready", () => "ok");
    app.MapGet("/health", () => "healthy");
    app.Run();
    return 0;
}

var socketPath = args.Length > 3 && args[3] != "-" ? args[3] : null;
var h2 = args.Length > 4 && args[4] == "h2";
var proxyBuilder = builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "/{**rest}" } }],
    [new ClusterConfig
    {
        ClusterId = "backend",
        Destinations = new Dictionary<string, DestinationConfig> { ["backend-0"] = new() { Address = args[2] } },
        HttpRequest = h2 ? new ForwarderRequestConfig { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact } : null,
    }]);
if (socketPath is not null)
{
    proxyBuilder.ConfigureHttpClient((_, handler) => handler.ConnectCallback = async (context, cancellationToken) =>
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    });
}

var proxy = builder.Build();
proxy.MapReverseProxy();
proxy.Run();
return 0;
