using BenchPlatform.LoadTests.Engine;
using BenchPlatform.LoadTests.Results;
using BenchPlatform.LoadTests.Scenarios;
using BenchPlatform.LoadTests.Tests.Support;

namespace BenchPlatform.LoadTests.Tests.Running;

public sealed class OverloadTests
{
    [Fact]
    public async Task OpenModel_RateFarAboveCapacity_ReportsWhatTheServerCompletedBesideWhatWasNotSent()
    {
        // The issue's case in small: warm at a rate the target cannot serve. The generator is still sending requests due in
        // the warm-up when the measured window ends, so none of the measured requests is sent (sent=0, all dropped) while the
        // server keeps completing ~4 / 20 ms = 200 a second. The summary must say so.
        await using var server = await ScriptedServer.StartAsync();
        var (engine, handler) = Runs.Engine(4);
        using var _ = handler;

        var run = await engine.RunOpenAsync(Runs.Get(new Uri(server.Url, "/delay?ms=20")), new OpenModel(new ConstantArrival(3000), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 4, TimeSpan.FromMilliseconds(10)), CancellationToken.None);
        var summary = Summarizer.Summarize("warm", "overload", run);

        Assert.Equal(0, summary.Sent);
        Assert.InRange(summary.Dropped, 2900, 3000);
        Assert.InRange(summary.CompletedRate, 40, 210);
        Assert.Equal(summary.CompletedRate, summary.Goodput);
        Assert.Equal(0, summary.Refused);
        var line = ScenarioContext.Describe(summary);
        Assert.Contains($"target completed {LoadTests.Cli.Units.Num(summary.CompletedRate, "0.#")}/s", line, StringComparison.Ordinal);
        Assert.Contains("dropped=", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenModel_TargetRefuses_CountsRefusalsPerSecond()
    {
        await using var server = await ScriptedServer.StartAsync();
        var (engine, handler) = Runs.Engine(64);
        using var _ = handler;

        var run = await engine.RunOpenAsync(Runs.Get(new Uri(server.Url, "/status?code=429")), new OpenModel(new ConstantArrival(100), TimeSpan.Zero, TimeSpan.FromSeconds(1), 64, TimeSpan.FromMilliseconds(10)), CancellationToken.None);
        var summary = Summarizer.Summarize("warm", "refused", run);

        // Every one of the 100 due requests is sent or dropped, and every one sent is counted refused (not as an error,
        // not as goodput), also the ones a cold engine sends after the second is over.
        Assert.Equal(100, summary.Due);
        Assert.Equal(summary.Due, summary.Sent + summary.Dropped);
        Assert.Equal(server.Count, summary.Sent);
        Assert.Equal(summary.Sent, summary.Refused);
        Assert.Equal(0, summary.Goodput);
        Assert.Contains("refused=", ScenarioContext.Describe(summary), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenModel_EveryAnswerHeldPastTheWindow_EveryDueRequestSentOrDroppedAndEveryRefusalCounted()
    {
        // What a cold engine does on a busy machine, made certain: the server holds every request until 1.3 s, past the
        // end of the 1 s window, so the first 64 are answered after it and the other 36 are sent after it. Before the
        // completion window ran to the last late request's end, this counted 0 refused of 100 sent.
        await using var server = await ScriptedServer.StartAsync();
        server.StallAfter = 1;
        server.StallFor = TimeSpan.FromMilliseconds(1300);
        var (engine, handler) = Runs.Engine(64);
        using var _ = handler;

        var run = await engine.RunOpenAsync(Runs.Get(new Uri(server.Url, "/status?code=429")), new OpenModel(new ConstantArrival(100), TimeSpan.Zero, TimeSpan.FromSeconds(1), 64, TimeSpan.FromMilliseconds(10)), CancellationToken.None);
        var summary = Summarizer.Summarize("warm", "refused", run);

        Assert.Equal(100, summary.Due);
        Assert.Equal(100, summary.Sent + summary.Dropped);
        Assert.Equal(100, summary.Sent);
        Assert.Equal(100, summary.Refused);
        var sentAfterTheWindow = run.Records.Count(r => r.SentTicks > run.Frequency);
        Assert.InRange(sentAfterTheWindow, 30, 100);
        Assert.Equal(run.Records.Count(r => r.SentTicks - r.IntendedTicks > run.Frequency / 100), summary.Late);
        Assert.True(summary.Late >= sentAfterTheWindow, $"late {summary.Late} counts the {sentAfterTheWindow} requests sent after the window");
    }

    [Fact]
    public async Task OpenModel_StoppedMidRun_CountsWhatWasNotSentAsDropped()
    {
        await using var server = await ScriptedServer.StartAsync();
        var (engine, handler) = Runs.Engine(16);
        using var _ = handler;
        using var stop = new CancellationTokenSource();
        var half = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = new StopAfter(Runs.Get(new Uri(server.Url, "/status?code=200")), 50, half);
        var running = engine.RunOpenAsync(source, new OpenModel(new ConstantArrival(100), TimeSpan.Zero, TimeSpan.FromSeconds(2), 16, TimeSpan.FromMilliseconds(10)), stop.Token);
        await half.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();

        var run = await running.WaitAsync(TimeSpan.FromSeconds(30));
        var summary = Summarizer.Summarize("warm", "stopped", run);

        Assert.Equal(200, summary.Due);
        Assert.Equal(200, summary.Sent + summary.Dropped);
        Assert.InRange(summary.Dropped, 1, 150);
    }

    /// <summary>Signals once the Nth request has been made, so a test can stop the run in its middle.</summary>
    private sealed class StopAfter(IRequestSource inner, int count, TaskCompletionSource reached) : IRequestSource
    {
        private int _made;

        public HttpRequestMessage Create(long sequence)
        {
            if (Interlocked.Increment(ref _made) == count)
            {
                reached.TrySetResult();
            }

            return inner.Create(sequence);
        }

        public ValueTask<BodyReading> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken) => inner.ReadAsync(response, cancellationToken);
    }
}
