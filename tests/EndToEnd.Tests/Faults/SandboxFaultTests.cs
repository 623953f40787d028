using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using BenchPlatform.AppHost.Hosting.Servers;
using BenchPlatform.TestCommon;
using Xunit.Abstractions;

namespace BenchPlatform.EndToEnd.Tests.Faults;

/// <summary>The sandbox runner killed under steady code-block traffic through the gateway.</summary>
[Collection(StackCollection.Name)]
public sealed class SandboxFaultTests(FaultStackFixture fixture, ITestOutputHelper output) : IClassFixture<FaultStackFixture>
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task SandboxRunner_KilledUnderTraffic_BlockRunsFailFastWith503ThenRecover()
    {
        await fixture.Stack.WaitHealthyAsync(Recovery);
        var before = fixture.ProcessesOf("SandboxRunner.dll");
        Assert.Single(before);

        await using var traffic = new TrafficLoop(fixture.Stack.GatewayUrl, Block, CheckBlock, clients: 2);
        await Wait.UntilAsync(() => Task.FromResult(traffic.Report.Ok >= 5), Recovery, "Block traffic did not get going");

        var killedAt = Stopwatch.GetTimestamp();
        Assert.True(ProcessSignals.Send(before[0], ProcessSignals.SigKill));
        await Wait.UntilAsync(
            () => Task.FromResult(fixture.ProcessesOf("SandboxRunner.dll") is { Count: 1 } now && now[0] != before[0]),
            Recovery, "The AppHost did not start a new sandbox runner");
        var mark = traffic.Report.Ok;
        await Wait.UntilAsync(() => Task.FromResult(traffic.OkSince(mark) >= 5), Recovery, "Block runs did not succeed again");
        var recovered = Stopwatch.GetElapsedTime(killedAt);

        var report = await traffic.StopAsync();
        output.WriteLine($"kill -9 sandbox runner: {report}; block runs succeed again {recovered.TotalSeconds:0.0} s after the kill");
        Assert.True(report.Failures.IsEmpty, report.ToString());
    }

    private HttpRequestMessage Block(int i) => new(HttpMethod.Post, new Uri(fixture.Stack.GatewayUrl, "v1/blocks/run"))
    {
        Content = JsonContent.Create(new
        {
            language = "python",
            code = "def run(inputs):\n    return {\"y\": inputs[\"x\"] * 2}",
            entrypoint = "run",
            inputs = new { x = i },
        }),
    };

    private static string? CheckBlock(int i, string body)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        if (root.GetProperty("status").GetString() != "ok")
        {
            return $"block {i}: {body}";
        }

        var y = root.GetProperty("outputs").GetProperty("y").GetInt64();
        return y == 2L * i ? null : $"block {i}: y = {y}, expected {2L * i}";
    }
}
