using Yarp.ReverseProxy.Configuration;

// Usage: GatewayOverhead backend <port> | GatewayOverhead bare-proxy <port> <backend-url>
if (args.Length < 2 || (args[0] == "bare-proxy" && args.Length < 3))
{
    Console.Error.WriteLine("usage: GatewayOverhead backend <port> | bare-proxy <port> <backend-url>");
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

builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "/{**rest}" } }],
    [new ClusterConfig
    {
        ClusterId = "backend",
        Destinations = new Dictionary<string, DestinationConfig> { ["backend-0"] = new() { Address = args[2] } },
    }]);
var proxy = builder.Build();
proxy.MapReverseProxy();
proxy.Run();
return 0;
