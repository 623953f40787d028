using BenchPlatform.Gateway.Forwarding;
using Microsoft.Extensions.Time.Testing;

namespace BenchPlatform.Gateway.Tests.Forwarding;

/// <summary>
/// The gradient limit (here with a 20 ms allowance): grows while answers come within twice the idle latency plus the
/// allowance and the limit is what holds requests back, shrinks when they come slower.
/// </summary>
public sealed class AdaptiveLimitTests
{
    private readonly FakeTimeProvider _time = new();

    /// <summary>Fills the limit, then answers every request after <paramref name="latencyMs"/>, for <paramref name="windows"/> windows of 16.</summary>
    private static void Serve(AdaptiveLimit limit, double latencyMs, int windows)
    {
        for (var w = 0; w < windows; w++)
        {
            var admitted = 0;
            while (limit.TryEnter())
            {
                admitted++;
            }

            for (var i = 0; i < Math.Max(admitted, 16); i++)
            {
                limit.Exit(latencyMs);
                limit.TryEnter();
            }

            while (limit.Inflight > 0)
            {
                limit.Exit(null);
            }
        }
    }

    [Fact]
    public void Limit_AnswersAtTheIdleLatency_Grows()
    {
        var limit = new AdaptiveLimit(_time, TimeSpan.FromMilliseconds(20), initial: 4);

        Serve(limit, latencyMs: 10, windows: 20);

        Assert.True(limit.Limit > 8, $"limit {limit.Limit}");
    }

    [Fact]
    public void Limit_AnswersSlowerThanTwiceTheIdleLatencyPlusTheAllowance_Shrinks()
    {
        var limit = new AdaptiveLimit(_time, TimeSpan.FromMilliseconds(20), initial: 64);
        Serve(limit, latencyMs: 10, windows: 2);
        var before = limit.Limit;

        Serve(limit, latencyMs: 160, windows: 20);

        Assert.True(limit.Limit < before / 4, $"limit {before} -> {limit.Limit}");
        Assert.True(limit.Limit >= 1);
    }

    [Fact]
    public void Limit_FewRequestsInFlight_DoesNotGrowPastWhatIsUsed()
    {
        var limit = new AdaptiveLimit(_time, TimeSpan.FromMilliseconds(20), initial: 16);

        for (var i = 0; i < 400; i++)
        {
            Assert.True(limit.TryEnter());
            limit.Exit(10);
        }

        Assert.Equal(16, limit.Limit);
    }

    [Fact]
    public void Limit_FullAndReplicasRefuseAsOverloaded_LosesATenthOnceAWindowAndRefusesTheNextRequest()
    {
        var limit = new AdaptiveLimit(_time, TimeSpan.FromMilliseconds(20), initial: 20);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(limit.TryEnter());
        }

        Assert.False(limit.TryEnter());
        limit.Exit(null, refusedDownstream: true);
        limit.Exit(null, refusedDownstream: true);

        Assert.Equal(18, limit.Limit);
        Assert.False(limit.TryEnter());
        _time.Advance(TimeSpan.FromMilliseconds(300));
        limit.Exit(null, refusedDownstream: true);
        Assert.Equal(16, limit.Limit);
    }
}
