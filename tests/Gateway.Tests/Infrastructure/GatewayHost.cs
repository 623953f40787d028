using BenchPlatform.TestCommon;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace BenchPlatform.Gateway.Tests.Infrastructure;

/// <summary>The real gateway (Program.cs's composition) on a real loopback port, configured per test.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    public const string InternalToken = "test-internal-token";

    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, int port)
    {
        _app = app;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    /// <summary>A client with no credentials, like a caller from outside.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a gateway; <paramref name="settings"/> are configuration keys (<c>Gateway:HoldTimeout</c>, …).</summary>
    public static async Task<GatewayHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(GatewayExtensions).Assembly.GetName().Name,
            EnvironmentName = "Production",
        });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Internal:Token"] = InternalToken,
            ["Internal:Required"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Gateway:HealthCheckInterval"] = "00:00:00.500",
            ["Gateway:HealthCheckTimeout"] = "00:00:01",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        // The same composition as Gateway/Program.cs.
        builder.AddServiceDefaults();
        builder.AddGateway();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGateway();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new GatewayHost(app, port);
    }

    /// <summary>An internal call as the AppHost makes it.</summary>
    public HttpRequestMessage Internal(HttpMethod method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Internal-Token", InternalToken);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        return request;
    }

    /// <summary>Pushes a replica set as the AppHost does.</summary>
    public Task PutDestinationsAsync(string cluster, int desired, params (string Id, Uri Address, string State)[] destinations) =>
        PutReplicaSetAsync(cluster, desired, null, destinations);

    /// <summary>Pushes a replica set with the operator's max (0 = scaled to zero), as the AppHost does.</summary>
    public async Task PutReplicaSetAsync(string cluster, int desired, int? max, params (string Id, Uri Address, string State)[] destinations)
    {
        var items = string.Join(",", destinations.Select(d => $"{{\"id\":\"{d.Id}\",\"address\":\"{d.Address}\",\"state\":\"{d.State}\"}}"));
        var maxJson = max is null ? "" : $"\"max\":{max},";
        using var request = Internal(HttpMethod.Put, $"/_internal/clusters/{cluster}/destinations", $"{{\"desired\":{desired},{maxJson}\"destinations\":[{items}]}}");
        using var response = await Client.SendAsync(request);
        if (response.StatusCode != System.Net.HttpStatusCode.NoContent)
        {
            throw new InvalidOperationException($"PUT destinations answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
