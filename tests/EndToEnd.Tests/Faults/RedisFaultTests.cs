using System.Diagnostics;
using System.Text.Json;
using BenchPlatform.AppHost.Hosting.Servers;
using BenchPlatform.TestCommon;
using Xunit.Abstractions;

namespace BenchPlatform.EndToEnd.Tests.Faults;

/// <summary>Redis killed under steady cached-infer traffic, then started again on the same port.</summary>
[Collection(StackCollection.Name)]
public sealed class RedisFaultTests(FaultStackFixture fixture, ITestOutputHelper output) : IClassFixture<FaultStackFixture>
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Redis_KilledUnderTraffic_PredictionsGoOnUncachedHealthDegradedAndCachingReturns()
    {
        await fixture.WaitWorkersReadyAsync(2, Recovery);
        var redis = Assert.Single(fixture.ProcessesOf("redis-server"));
        var (executable, arguments) = RedisCommandLine(redis);
        Assert.True(await CachedAsync(), "A repeated infer was not served from the cache before the fault");

        await using var traffic = new TrafficLoop(fixture.Stack.GatewayUrl, i => fixture.Infer(i, cache: true), fixture.Check);
        await Wait.UntilAsync(() => Task.FromResult(traffic.Report.Ok >= 20), Recovery, "Traffic did not get going");

        var killedAt = Stopwatch.GetTimestamp();
        Assert.True(ProcessSignals.Send(redis, ProcessSignals.SigKill));
        await Wait.UntilAsync(
            async () => await fixture.Stack.GetGatewayHealthAsync() is { } health
                && health.GetProperty("status").GetString() == "degraded" && health.GetProperty("redis").GetString() == "disconnected",
            Recovery, "The gateway's health did not say degraded with Redis disconnected");
        var worker = FaultStackFixture.AddressOf(fixture.WorkerPids()[0]);
        await Wait.UntilAsync(
            async () => JsonDocument.Parse(await fixture.Stack.Http.GetStringAsync(new Uri(worker, "health"))).RootElement is var health
                && health.GetProperty("status").GetString() == "degraded",
            Recovery, "A worker's /health did not say degraded without Redis");
        var mark = traffic.Report.Ok;
        await Wait.UntilAsync(() => Task.FromResult(traffic.OkSince(mark) >= 50), Recovery, "Predictions did not go on without Redis");

        // The same server on the same port with the same password, as the AppHost started it.
        var restart = new ProcessStartInfo(executable, arguments) { RedirectStandardOutput = true };

        using var restarted = Process.Start(restart)!;
        fixture.Own(restarted.Id);
        var redisOutput = new System.Collections.Concurrent.ConcurrentQueue<string>();
        restarted.OutputDataReceived += (_, e) => redisOutput.Enqueue(e.Data ?? string.Empty);
        restarted.BeginOutputReadLine();
        var restartedAt = Stopwatch.GetTimestamp();
        await Wait.UntilAsync(
            () => RedisPing.PingAsync(int.Parse(arguments[1], System.Globalization.CultureInfo.InvariantCulture), arguments[5]),
            Recovery, $"The restarted Redis did not answer PING (exited: {restarted.HasExited}; {string.Join(" ", arguments)}; {string.Join("|", redisOutput)})");
        try
        {
            await Wait.UntilAsync(CachedAsync, Recovery, "Predictions were not served from the cache again after Redis returned");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} ({ex.InnerException?.Message}); Redis said: {string.Join('\n', redisOutput)}", ex);
        }

        var recovered = Stopwatch.GetElapsedTime(restartedAt);
        await fixture.Stack.WaitHealthyAsync(Recovery);

        var report = await traffic.StopAsync();
        output.WriteLine($"kill -9 Redis: {report}; down {Stopwatch.GetElapsedTime(killedAt).TotalSeconds:0.0} s in all; cached again {recovered.TotalSeconds:0.0} s after Redis restarted");
        Assert.True(report.Failures.IsEmpty, report.ToString());
        Assert.Equal(0, report.Unavailable);
    }

    /// <summary>
    /// How the AppHost started Redis: redis-server rewrites its own command line, so the port comes from its title and
    /// the per-run password from a worker's connection string.
    /// </summary>
    private (string Executable, string[] Arguments) RedisCommandLine(int redis)
    {
        var title = File.ReadAllText($"/proc/{redis}/cmdline").Split('\0', ' ').Where(p => p.Length > 0).ToArray();
        var executable = ExecutableLocator.Find("redis-server")!;
        var port = title.Single(p => p.StartsWith("127.0.0.1:", StringComparison.Ordinal))["127.0.0.1:".Length..];
        var environ = File.ReadAllText($"/proc/{fixture.WorkerPids()[0]}/environ").Split('\0');
        var cache = environ.Single(v => v.StartsWith("ConnectionStrings__cache=", StringComparison.Ordinal));
        var password = cache.Split(',').Single(p => p.StartsWith("password=", StringComparison.Ordinal))["password=".Length..];
        return (executable, ["--port", port, "--bind", "127.0.0.1", "--requirepass", password, "--save", "", "--appendonly", "no", "--protected-mode", "yes"]);
    }

    private async Task<bool> CachedAsync()
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var response = await fixture.Stack.Http.SendAsync(fixture.Infer(0, cache: true));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            Assert.Null(fixture.Check(0, body));
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.GetProperty("parameters").GetProperty("cached").GetBoolean())
            {
                return true;
            }
        }

        return false;
    }
}
