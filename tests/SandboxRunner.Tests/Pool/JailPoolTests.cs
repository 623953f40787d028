using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Diagnostics.Metrics;
using BenchPlatform.SandboxRunner.Jail;
using BenchPlatform.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using BenchPlatform.TestCommon;

namespace BenchPlatform.SandboxRunner.Tests.Pool;

/// <summary>The warm pool, cold starts, capacity, start-up refusal and degraded mode, each with its own runner.</summary>
public sealed class JailPoolTests
{
    [Fact]
    public async Task Run_WithAnEmptyPool_IsColdAndSaysSo()
    {
        await using var factory = new SandboxFactory(new Dictionary<string, string?> { ["Sandbox:PoolSize"] = "0", ["Sandbox:IdleTimeoutMs"] = "0" });
        using var client = factory.CreateRunnerClient();

        for (var i = 0; i < 3; i++)
        {
            using var response = await client.PostAsJsonAsync("/v1/blocks/run", new { code = "def run(i):\n    return {'ok': True}" });
            var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("ok", result.Status());
            Assert.Equal("cold", result.GetProperty("start").GetString());
            Assert.StartsWith("cold;dur=", string.Join(",", response.Headers.GetValues("Server-Timing")), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Run_WithAWarmPool_IsWarm()
    {
        await using var factory = new SandboxFactory(new Dictionary<string, string?> { ["Sandbox:PoolSize"] = "2" });
        using var client = factory.CreateRunnerClient();
        await Wait.UntilAsync(async () => (await Health(client)).GetProperty("data").GetProperty("pool").GetProperty("idle").GetInt32() >= 2,
            TimeSpan.FromSeconds(15), "the pool did not fill to 2 jails");

        for (var i = 0; i < 5; i++)
        {
            var result = await client.RunAsync("def run(i):\n    return {}");
            Assert.Equal("warm", result.GetProperty("start").GetString());
        }
    }

    [Fact]
    public async Task Metrics_AWarmPoolOfTwo_ReportsTwoIdleJailsAndOneMoreLiveWhileABlockRuns()
    {
        await using var factory = new SandboxFactory(new Dictionary<string, string?> { ["Sandbox:PoolSize"] = "2" });
        using var client = factory.CreateRunnerClient();
        var meters = factory.Services.GetRequiredService<IMeterFactory>();
        using var idle = new MetricCollector<int>(meters, PlatformTelemetry.MeterName, "sandbox.pool.idle");
        using var live = new MetricCollector<int>(meters, PlatformTelemetry.MeterName, "sandbox.pool.live");
        int Read(MetricCollector<int> gauge)
        {
            gauge.RecordObservableInstruments();
            return gauge.LastMeasurement!.Value;
        }

        await Wait.UntilAsync(() => Task.FromResult(Read(idle) == 2), TimeSpan.FromSeconds(15), "the idle gauge did not reach 2");
        Assert.Equal(2, Read(live));

        // While a block holds a jail: one fewer idle, or, once the pool has refilled, one more live.
        var running = client.RunAsync("import time\ndef run(i):\n    time.sleep(1.5)\n    return {}");
        await Wait.UntilAsync(() => Task.FromResult(Read(idle) == 1 || Read(live) == 3), TimeSpan.FromSeconds(10), "no jail was taken from the pool");
        Assert.Equal("ok", (await running).Status());
    }

    [Fact]
    public async Task Health_OnThisHost_ListsEveryIsolationFeature()
    {
        await using var factory = new SandboxFactory(new Dictionary<string, string?> { ["Sandbox:PoolSize"] = "1" });
        using var client = factory.CreateClient(); // /health needs no token

        var check = await Health(client);

        Assert.Equal("healthy", check.GetProperty("status").GetString());
        var features = check.GetProperty("data").GetProperty("features").EnumerateArray().Select(f => f.GetString()!).ToHashSet();
        Assert.Subset(features, JailFeatures.All.ToHashSet());
        Assert.Empty(check.GetProperty("data").GetProperty("missing_features").EnumerateArray());
        Assert.Equal("ready", check.GetProperty("data").GetProperty("sandbox").GetString());
    }

    [Fact]
    public async Task Start_WithoutCgroupsWhenAllFeaturesAreRequired_RefusesAndNamesTheMissingFeatureAndTheSwitch()
    {
        await using var factory = new SandboxFactory(new Dictionary<string, string?>
        {
            ["Sandbox:CgroupRoot"] = "/nonexistent-cgroup-root",
            ["Sandbox:RequireAllFeatures"] = "true",
        });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var message = error.ToString();
        Assert.Contains("cgroup_memory", message, StringComparison.Ordinal);
        Assert.Contains("Sandbox__RequireAllFeatures", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithoutCgroups_RunsOnRlimitsAndHealthSaysWhatIsLost()
    {
        // The default on a host without writable cgroups: the runner starts, says which mode it is in and what each
        // missing feature gives up, and the rlimit fallbacks hold.
        await using var factory = new SandboxFactory(new Dictionary<string, string?>
        {
            ["Sandbox:CgroupRoot"] = "/nonexistent-cgroup-root",
            ["Sandbox:PoolSize"] = "1",
        });
        using var client = factory.CreateRunnerClient();

        var check = await Health(client);
        var memory = await client.RunAsync("def run(i):\n    x = bytearray(10**10)\n    return {}", limits: new { memory_mb = 64 });
        var forkBomb = await client.RunAsync("import os\ndef run(inputs):\n    while True:\n        os.fork()", limits: new { timeout_ms = 2000 });
        var busy = await client.RunAsync("def run(i):\n    while True:\n        pass", limits: new { timeout_ms = 300 });

        Assert.Equal("degraded", check.GetProperty("status").GetString());
        Assert.Equal("root, rlimits only", check.GetProperty("data").GetProperty("mode").GetString());
        var missing = check.GetProperty("data").GetProperty("missing_features").EnumerateArray().Select(f => f.GetString()!).ToArray();
        Assert.Equal(["cgroup_memory", "cgroup_pids"], missing);
        Assert.Contains("RLIMIT_NPROC", check.GetProperty("data").GetProperty("lost").GetProperty("cgroup_pids").GetString(), StringComparison.Ordinal);
        Assert.Equal("memory_limit", memory.Status());
        Assert.Contains(forkBomb.Status(), new[] { "error", "timeout" });
        Assert.Equal("timeout", busy.Status());
        await client.AssertNormalRunSucceedsAsync();
    }

    [Fact]
    public async Task Start_WhenNoJailCanStartInDegradedMode_RunsAndAnswers503()
    {
        await using var factory = new SandboxFactory(new Dictionary<string, string?>
        {
            ["Sandbox:PythonPath"] = "/bin/false", // a file, so options validation passes, but no jail can start with it
            ["Sandbox:AllowDegraded"] = "true",
        });
        using var client = factory.CreateRunnerClient();

        using var health = await client.GetAsync("/health");
        using var run = await client.PostAsJsonAsync("/v1/blocks/run", new { code = "def run(i):\n    return {}" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, run.StatusCode);
    }

    [Fact]
    public async Task Start_WithNoPython_RefusesAndNamesTheSetting()
    {
        await using var factory = new SandboxFactory(new Dictionary<string, string?> { ["Sandbox:PythonPath"] = "/nonexistent/python3" });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Sandbox:PythonPath", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WhenEveryJailStaysBusy_Returns503WithRetryAfter()
    {
        await using var factory = new SandboxFactory(new Dictionary<string, string?>
        {
            ["Sandbox:PoolSize"] = "1",
            ["Sandbox:MaxJails"] = "1",
            ["Sandbox:QueueTimeoutMs"] = "200",
        });
        using var client = factory.CreateRunnerClient();
        var slow = client.RunAsync("import time\ndef run(i):\n    time.sleep(2)\n    return {}");
        await Wait.UntilAsync(async () => (await Health(client)).GetProperty("data").GetProperty("pool").GetProperty("idle").GetInt32() == 0,
            TimeSpan.FromSeconds(10), "the slow run did not take the only jail");

        using var response = await client.PostAsJsonAsync("/v1/blocks/run", new { code = "def run(i):\n    return {}" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("ok", (await slow).Status());
    }

    [Fact]
    public async Task Stop_KillsEveryJailAndRemovesItsCgroups()
    {
        var factory = new SandboxFactory(new Dictionary<string, string?> { ["Sandbox:PoolSize"] = "2", ["Sandbox:CgroupName"] = "benchplatform-sandbox-stoptest" });
        using (var client = factory.CreateRunnerClient())
        {
            await client.AssertNormalRunSucceedsAsync();
        }

        var before = Directory.GetDirectories("/sys/fs/cgroup/pids", $"benchplatform-sandbox-stoptest-{Environment.ProcessId}.*").ToHashSet();
        Assert.NotEmpty(before);
        var pids = before.SelectMany(Directory.GetDirectories)
            .SelectMany(c => File.ReadAllLines(Path.Combine(c, "cgroup.procs"))).Select(int.Parse).ToArray();
        Assert.NotEmpty(pids);

        await factory.DisposeAsync();

        Assert.All(before, folder => Assert.False(Directory.Exists(folder), $"{folder} outlived the runner"));
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), $"jail process {pid} outlived the runner"));
    }

    private static async Task<JsonElement> Health(HttpClient client)
    {
        using var response = await client.GetAsync("/health");
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var check = root.GetProperty("checks").GetProperty("sandbox");
        return JsonDocument.Parse($$"""{"status":"{{root.GetProperty("status").GetString()}}","data":{{check.GetProperty("data").GetRawText()}}}""").RootElement.Clone();
    }
}
