using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchPlatform.TestCommon;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BenchPlatform.SandboxRunner.Tests.Registry;

/// <summary>Named blocks in a real PostgreSQL: register, run by name and by sha256, replace, and the errors.</summary>
public sealed class BlockRegistryTests : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private readonly PostgresFixture _postgres;
    private SandboxFactory _factory = null!;
    private HttpClient _client = null!;

    public BlockRegistryTests(PostgresFixture postgres) => _postgres = postgres;

    public async Task InitializeAsync()
    {
        var connectionString = await _postgres.CreateDatabaseAsync("sandbox");
        _factory = new SandboxFactory(new Dictionary<string, string?>
        {
            ["ConnectionStrings:registry"] = connectionString,
            ["Sandbox:PoolSize"] = "1",
        });
        _client = _factory.CreateRunnerClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task Register_ThenRunByNameAndBySha_RunsTheStoredCode()
    {
        const string code = "def double(inputs):\n    return {'y': inputs['x'] * 2}";

        using var created = await _client.PostAsJsonAsync("/v1/blocks", new { name = "doubler", language = "python", code, entrypoint = "double" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
        Assert.Equal("doubler", body.GetProperty("name").GetString());
        Assert.Equal(sha, body.GetProperty("sha256").GetString());

        foreach (var key in new[] { "doubler", sha })
        {
            using var run = await _client.PostAsJsonAsync($"/v1/blocks/{key}/run", new { inputs = new { x = 21 } });
            var result = JsonDocument.Parse(await run.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("ok", result.Status());
            Assert.Equal(42, result.GetProperty("outputs").GetProperty("y").GetInt32());
        }
    }

    [Fact]
    public async Task Register_SameNameAgain_ReplacesTheCodeAndTheSha()
    {
        using var first = await _client.PostAsJsonAsync("/v1/blocks", new { name = "versioned", language = "python", code = "def run(i):\n    return {'v': 1}" });
        using var second = await _client.PostAsJsonAsync("/v1/blocks", new { name = "versioned", language = "python", code = "def run(i):\n    return {'v': 2}" });

        var sha1 = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("sha256").GetString();
        var sha2 = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("sha256").GetString();
        Assert.NotEqual(sha1, sha2);
        using var run = await _client.PostAsJsonAsync("/v1/blocks/versioned/run", new { inputs = new { } });
        Assert.Equal(2, JsonDocument.Parse(await run.Content.ReadAsStringAsync()).RootElement.GetProperty("outputs").GetProperty("v").GetInt32());
        using var get = await _client.GetAsync("/v1/blocks/versioned");
        var info = JsonDocument.Parse(await get.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(sha2, info.GetProperty("sha256").GetString());
        Assert.Equal("run", info.GetProperty("entrypoint").GetString());
    }

    [Fact]
    public async Task Run_UnknownBlock_Returns404()
    {
        using var response = await _client.PostAsJsonAsync("/v1/blocks/nobody/run", new { inputs = new { } });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("POST /v1/blocks", body, StringComparison.Ordinal);
        Assert.Equal("/docs/api.md#unknown-block", JsonDocument.Parse(body).RootElement.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("""{"language":"python","code":"def run(i): return i"}""", "'name' is required")]
    [InlineData("""{"name":"has space","language":"python","code":"def run(i): return i"}""", "'name' is required")]
    [InlineData("""{"name":"ok","language":"cobol","code":"def run(i): return i"}""", "use \"python\"")]
    [InlineData("""{"name":"ok","language":"python"}""", "'code' is required")]
    public async Task Register_InvalidRequest_Returns400(string body, string detail)
    {
        using var response = await _client.PostAsync("/v1/blocks", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunNamed_InvalidLimits_Returns400()
    {
        await _client.PostAsJsonAsync("/v1/blocks", new { name = "limited", language = "python", code = "def run(i):\n    return i" });

        using var response = await _client.PostAsJsonAsync("/v1/blocks/limited/run", new { inputs = new { }, limits = new { timeout_ms = -1 } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Registry_SurvivesARestartOfTheRunner()
    {
        await _client.PostAsJsonAsync("/v1/blocks", new { name = "durable", language = "python", code = "def run(i):\n    return {'kept': True}" });
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:registry"] = _factory.Services.GetRequiredService<IConfiguration>().GetConnectionString("registry"), ["Sandbox:PoolSize"] = "1" };

        await using var restarted = new SandboxFactory(settings);
        using var client = restarted.CreateRunnerClient();
        using var run = await client.PostAsJsonAsync("/v1/blocks/durable/run", new { inputs = new { } });

        Assert.True(JsonDocument.Parse(await run.Content.ReadAsStringAsync()).RootElement.GetProperty("outputs").GetProperty("kept").GetBoolean());
    }
}
