using System.Diagnostics;
using BenchPlatform.AppHost.Hosting.Servers;
using BenchPlatform.TestCommon;
using Xunit.Abstractions;

namespace BenchPlatform.EndToEnd.Tests.Faults;

/// <summary>Faults of an inference replica under steady infer traffic through the gateway.</summary>
[Collection(StackCollection.Name)]
public sealed class WorkerFaultTests(FaultStackFixture fixture, ITestOutputHelper output) : IClassFixture<FaultStackFixture>
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task WorkerReplica_KilledUnderTraffic_NoRequestLostAndReplicaReplaced()
    {
        await fixture.WaitWorkersReadyAsync(2, Recovery);
        var before = fixture.WorkerPids();
        Assert.Equal(2, before.Count);

        await using var traffic = new TrafficLoop(fixture.Stack.GatewayUrl, i => fixture.Infer(i, cache: false), fixture.Check);
        await Wait.UntilAsync(() => Task.FromResult(traffic.Report.Ok >= 20), Recovery, "Traffic did not get going");

        var victim = before[0];
        var killedAt = Stopwatch.GetTimestamp();
        Assert.True(ProcessSignals.Send(victim, ProcessSignals.SigKill));
        await Wait.UntilAsync(() => Task.FromResult(!ProcessTree.IsAlive(victim)), TimeSpan.FromSeconds(30), $"{victim} did not die");

        // The AppHost replaces it: a new process, in rotation again.
        await Wait.UntilAsync(
            async () => fixture.WorkerPids() is { Count: 2 } now && !now.Contains(victim) && (await fixture.ScaleAsync()).GetProperty("ready").GetInt32() == 2,
            Recovery, "The killed replica was not replaced by a new ready one");
        var recovered = Stopwatch.GetElapsedTime(killedAt);
        var mark = traffic.Report.Ok;
        await Wait.UntilAsync(() => Task.FromResult(traffic.OkSince(mark) >= 20), Recovery, "Traffic did not succeed after the replacement");

        var report = await traffic.StopAsync();
        output.WriteLine($"kill -9 worker replica: {report}; replaced in {recovered.TotalSeconds:0.0} s");
        Assert.True(report.Failures.IsEmpty, report.ToString());
        Assert.Equal(report.Sent, report.Ok + report.Unavailable);
    }
}
