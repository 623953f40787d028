using System.Net;
using System.Text.Json;
using BenchPlatform.Gateway.Tests.Infrastructure;
using BenchPlatform.TestCommon;

namespace BenchPlatform.Gateway.Tests.Health;

[Collection(StoresCollection.Name)]
public sealed class GatewayHealthTests(StoresFixture stores) : IAsyncLifetime
{
    private TestReplica _inference = null!;
    private TestReplica _sandbox = null!;

    public async Task InitializeAsync()
    {
        _inference = await TestReplica.StartAsync("inference-0");
        _sandbox = await TestReplica.StartAsync("sandbox-0");
    }

    public async Task DisposeAsync()
    {
        await _inference.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    private Dictionary<string, string?> Settings(string? cache = null, string? registry = null) => new()
    {
        ["ConnectionStrings:cache"] = cache ?? stores.Redis.ConnectionString,
        ["ConnectionStrings:registry"] = registry ?? stores.DatabaseConnectionString,
        ["services:inference:http:0"] = _inference.Address.ToString(),
        ["services:sandbox:http:0"] = _sandbox.Address.ToString(),
    };

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetHealthAsync(GatewayHost gateway)
    {
        using var response = await gateway.Client.GetAsync("/health");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, body);
    }

    [Fact]
    public async Task Health_EverythingUp_Returns200HealthyWithApiFields()
    {
        await using var gateway = await GatewayHost.StartAsync(Settings());

        var (status, body) = await GetHealthAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("connected", body.GetProperty("redis").GetString());
        Assert.Equal("connected", body.GetProperty("database").GetString());
        Assert.Equal(1, body.GetProperty("workers").GetProperty("ready").GetInt32());
        Assert.Equal(1, body.GetProperty("workers").GetProperty("desired").GetInt32());
        Assert.Equal("ready", body.GetProperty("sandbox").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task Health_RedisDown_Returns200Degraded()
    {
        await using var gateway = await GatewayHost.StartAsync(Settings(cache: $"127.0.0.1:{FreePort.Next()},abortConnect=false"));

        var (status, body) = await GetHealthAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Equal("disconnected", body.GetProperty("redis").GetString());
        Assert.Equal("connected", body.GetProperty("database").GetString());
    }

    [Fact]
    public async Task Health_DatabaseDown_Returns503Unhealthy()
    {
        var closed = $"Host=127.0.0.1;Port={FreePort.Next()};Username=postgres;Password=x;Database=none";
        await using var gateway = await GatewayHost.StartAsync(Settings(registry: closed));

        var (status, body) = await GetHealthAsync(gateway);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("disconnected", body.GetProperty("database").GetString());
    }

    [Fact]
    public async Task Health_InferenceScaledToZero_IsHealthy()
    {
        await using var gateway = await GatewayHost.StartAsync(Settings());
        await gateway.PutDestinationsAsync("inference", 0);

        var (status, body) = await GetHealthAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal(0, body.GetProperty("workers").GetProperty("ready").GetInt32());
        Assert.Equal(0, body.GetProperty("workers").GetProperty("desired").GetInt32());
    }

    [Fact]
    public async Task Health_FewerReadyThanDesired_IsDegraded()
    {
        await using var gateway = await GatewayHost.StartAsync(Settings());
        await gateway.PutDestinationsAsync("inference", 2,
            ("inference-0", _inference.Address, "ready"), ("inference-1", new Uri($"http://127.0.0.1:{FreePort.Next()}/"), "starting"));

        var (status, body) = await GetHealthAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Equal(1, body.GetProperty("workers").GetProperty("ready").GetInt32());
        Assert.Equal(2, body.GetProperty("workers").GetProperty("desired").GetInt32());
    }

    [Fact]
    public async Task Health_SandboxFailingItsHealth_ReportsUnavailableAndDegraded()
    {
        _sandbox.HealthStatus = 503;
        await using var gateway = await GatewayHost.StartAsync(Settings());

        await Wait.UntilAsync(async () => (await GetHealthAsync(gateway)).Body.GetProperty("sandbox").GetString() == "unavailable",
            TimeSpan.FromSeconds(10), "the active health check did not take the failing sandbox out of rotation");
        var (status, body) = await GetHealthAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
    }
}
