using System.Diagnostics;
using BenchPlatform.AppHost.Hosting.Servers;
using BenchPlatform.TestCommon;
using Xunit.Abstractions;

namespace BenchPlatform.EndToEnd.Tests.Faults;

/// <summary>An inference replica that stalls (SIGSTOP) under steady infer traffic, then resumes (SIGCONT).</summary>
[Collection(StackCollection.Name)]
public sealed class StalledReplicaFaultTests(FaultStackFixture fixture, ITestOutputHelper output) : IClassFixture<FaultStackFixture>
{
    private const int SigCont = 18;
    private const int SigStop = 19;
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(120);

    /// <summary>How long the stall lasts: three of the gateway's health-probe rounds (5 s interval + 2 s timeout).</summary>
    private static readonly TimeSpan HealthRounds = TimeSpan.FromSeconds(21);

    [Fact]
    public async Task WorkerReplica_StalledUnderTraffic_TrafficKeepsSucceedingAndReplicaReturnsAfterResume()
    {
        await fixture.WaitWorkersReadyAsync(2, Recovery);
        var pids = fixture.WorkerPids();
        Assert.Equal(2, pids.Count);

        await using var traffic = new TrafficLoop(fixture.Stack.GatewayUrl, i => fixture.Infer(i, cache: false), fixture.Check);
        await Wait.UntilAsync(() => Task.FromResult(traffic.Report.Ok >= 20), Recovery, "Traffic did not get going");

        var victim = pids[0];
        var stoppedAt = Stopwatch.GetTimestamp();
        Assert.True(ProcessSignals.Send(victim, SigStop));
        long okLate;
        try
        {
            // The gateway's active health probes (every 5 s, 2 s timeout) must take it out of rotation: the stall lasts
            // past a few probe rounds, and in its second half the clients, each of which would stick on a request sent to
            // the stalled replica, must still be getting answers from the other one.
            await Wait.UntilAsync(() => Task.FromResult(Stopwatch.GetElapsedTime(stoppedAt) >= HealthRounds / 2), Recovery, "The stall did not last");
            var okAtHalf = traffic.Report.Ok;
            await Wait.UntilAsync(
                () => Task.FromResult(traffic.OkSince(okAtHalf) >= 50 && Stopwatch.GetElapsedTime(stoppedAt) >= HealthRounds),
                Recovery, "Traffic did not keep succeeding while a replica was stalled");
            okLate = traffic.OkSince(okAtHalf);
        }
        finally
        {
            ProcessSignals.Send(victim, SigCont);
        }

        var stalledFor = Stopwatch.GetElapsedTime(stoppedAt);
        await fixture.WaitWorkersReadyAsync(2, Recovery);
        var after = traffic.Report.Ok;
        await Wait.UntilAsync(() => Task.FromResult(traffic.OkSince(after) >= 20), Recovery, "Traffic did not succeed after the resume");
        var report = await traffic.StopAsync();
        var resumed = fixture.WorkerPids();
        output.WriteLine($"SIGSTOP worker replica: {report}; ok during the second half of the stall {okLate}; stalled {stalledFor.TotalSeconds:0.0} s; after SIGCONT pids {string.Join(",", resumed)} (stalled {victim})");
        Assert.True(report.Failures.IsEmpty, report.ToString());
        Assert.Equal(2, resumed.Count);
    }
}
