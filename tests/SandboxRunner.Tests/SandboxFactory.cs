using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BenchPlatform.SandboxRunner.Tests;

/// <summary>The real runner in process (found through a type of its assembly) (real jails, real cgroups), configured per test class through settings.</summary>
public class SandboxFactory : WebApplicationFactory<SandboxOptions>
{
    public const string Token = "test-internal-token-8c1f";

    /// <summary>Processes of an idle jail: launcher, keeper, zygote, template and the default two prepared run children.</summary>
    public const int IdleJailProcesses = 6;

    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Internal:Token"] = Token,
        ["Sandbox:PoolSize"] = "2",
        ["Sandbox:MaxJails"] = "6",
        ["Sandbox:DefaultTimeoutMs"] = "5000",
        ["Sandbox:TmpfsMb"] = "16",
        ["Sandbox:MaxFiles"] = "512",
        ["Sandbox:CgroupName"] = "benchplatform-sandbox-test",
    };

    public SandboxFactory()
    {
    }

    internal SandboxFactory(IDictionary<string, string?> settings)
    {
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
    }

    /// <summary>A client that sends the internal token, as the gateway does.</summary>
    public HttpClient CreateRunnerClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Internal-Token", Token);
        return client;
    }

    /// <summary>The cgroup v1 pids folders of this process's runners' jails.</summary>
    public static IEnumerable<string> JailPidsCgroups() =>
        Directory.GetDirectories("/sys/fs/cgroup/pids", $"benchplatform-sandbox-test-{Environment.ProcessId}.*")
            .SelectMany(Directory.GetDirectories);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>One runner shared by the tests that need only the defaults.</summary>
[CollectionDefinition(Name)]
public sealed class JailCollection : ICollectionFixture<SandboxFactory>
{
    public const string Name = "jail";
}

/// <summary>Helpers to run a block and read the answer.</summary>
public static class RunClient
{
    public static async Task<JsonElement> RunAsync(this HttpClient client, string code, object? inputs = null, object? limits = null)
    {
        using var response = await client.PostAsJsonAsync("/v1/blocks/run", new Dictionary<string, object?>
        {
            ["language"] = "python",
            ["code"] = code,
            ["inputs"] = inputs ?? new Dictionary<string, object>(),
            ["limits"] = limits,
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Runs a trivial block and asserts it succeeds: the jail survived whatever ran before.</summary>
    public static async Task AssertNormalRunSucceedsAsync(this HttpClient client)
    {
        var result = await client.RunAsync("def run(inputs):\n    return {'sum': inputs['a'] + inputs['b']}", new { a = 2, b = 40 });
        Assert.Equal("ok", result.Status());
        Assert.Equal(42, result.GetProperty("outputs").GetProperty("sum").GetInt32());
    }

    public static string Status(this JsonElement result) => result.GetProperty("status").GetString()!;

    public static string ErrorType(this JsonElement result) => result.GetProperty("error").GetProperty("type").GetString()!;

    public static string ErrorMessage(this JsonElement result) => result.GetProperty("error").GetProperty("message").GetString()!;
}
