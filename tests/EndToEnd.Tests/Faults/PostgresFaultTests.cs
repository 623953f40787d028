using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using BenchPlatform.AppHost.Hosting.Servers;
using BenchPlatform.TestCommon;
using Xunit.Abstractions;

namespace BenchPlatform.EndToEnd.Tests.Faults;

/// <summary>PostgreSQL stopped under steady infer traffic, then started again on the same data folder and port.</summary>
[Collection(StackCollection.Name)]
public sealed class PostgresFaultTests(FaultStackFixture fixture, ITestOutputHelper output) : IClassFixture<FaultStackFixture>
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Postgres_StoppedUnderTraffic_LoadedModelsServeUploadsGet503ThenRecover()
    {
        await fixture.WaitWorkersReadyAsync(2, Recovery);
        var postmaster = Assert.Single(fixture.Stack.Descendants(), p => p.CommandLine.Contains("/postgres -D ", StringComparison.Ordinal));
        var argv = File.ReadAllText($"/proc/{postmaster.Pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var model = await File.ReadAllBytesAsync(Directory.EnumerateFiles(fixture.Stack.StateFolder, "*.onnx", SearchOption.AllDirectories).First());

        await using var traffic = new TrafficLoop(fixture.Stack.GatewayUrl, i => fixture.Infer(i, cache: false), fixture.Check);
        await Wait.UntilAsync(() => Task.FromResult(traffic.Report.Ok >= 20), Recovery, "Traffic did not get going");

        var stoppedAt = Stopwatch.GetTimestamp();
        Assert.True(ProcessSignals.Send(postmaster.Pid, ProcessSignals.SigInt)); // fast shutdown
        await Wait.UntilAsync(() => Task.FromResult(!ProcessTree.IsAlive(postmaster.Pid)), Recovery, "PostgreSQL did not stop");

        using (var refused = await UploadAsync(model))
        {
            var body = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)refused.StatusCode}: {body}");
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        var mark = traffic.Report.Ok;
        await Wait.UntilAsync(() => Task.FromResult(traffic.OkSince(mark) >= 50), Recovery, "The loaded model did not keep serving without PostgreSQL");

        // The same server, data folder and port, as the AppHost started it (setpriv to the postgres user when root).
        var restart = Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("setpriv", ["--reuid", "postgres", "--regid", "postgres", "--init-groups", "--", .. argv])
            : new ProcessStartInfo(argv[0], argv[1..]);
        restart.RedirectStandardOutput = true;
        restart.RedirectStandardError = true;
        using var restarted = Process.Start(restart)!;
        fixture.Own(restarted.Id, ProcessSignals.SigInt);
        restarted.BeginOutputReadLine();
        restarted.BeginErrorReadLine();
        var restartedAt = Stopwatch.GetTimestamp();
        await Wait.UntilAsync(async () =>
        {
            using var upload = await UploadAsync(model);
            return upload.StatusCode == HttpStatusCode.Created;
        }, Recovery, "Uploads did not work again after PostgreSQL returned");
        var recovered = Stopwatch.GetElapsedTime(restartedAt);

        var report = await traffic.StopAsync();
        output.WriteLine($"stop PostgreSQL: {report}; down {Stopwatch.GetElapsedTime(stoppedAt).TotalSeconds:0.0} s in all; uploads work {recovered.TotalSeconds:0.0} s after it restarted");
        Assert.True(report.Failures.IsEmpty, report.ToString());
        Assert.Equal(0, report.Unavailable);
    }

    private async Task<HttpResponseMessage> UploadAsync(byte[] model)
    {
        var content = new ByteArrayContent(model);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await fixture.Stack.Http.PostAsync(new Uri(fixture.Stack.GatewayUrl, "v1/models?name=fault-upload"), content);
    }
}
