using BenchPlatform.AppHost.Hosting.Orchestration;
using BenchPlatform.AppHost.Hosting.Resources;
using Microsoft.Extensions.Time.Testing;

namespace BenchPlatform.AppHost.Tests.Hosting.Orchestration;

public sealed class ScaleDeciderTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider _time = new();
    private readonly ScaleDecider _decider;

    public ScaleDeciderTests() => _decider = new ScaleDecider(new AutoscalePolicy(0, 4, 8, Window), _time);

    [Fact]
    public void Decide_FirstDemandAtZero_ScalesToOneAtOnce()
    {
        Assert.Equal(1, _decider.Decide(current: 0, demand: 1, min: 0, max: 4));
    }

    [Fact]
    public void Decide_MaxZero_GoesToZeroAtOnceWhateverTheDemandAndWindow()
    {
        Assert.Equal(0, _decider.Decide(current: 3, demand: 1000, min: 0, max: 0));
        Assert.Equal(0, _decider.Decide(current: 0, demand: 5, min: 0, max: 0));
    }

    [Fact]
    public void Decide_MaxRaisedFromZero_DemandScalesUpAgain()
    {
        Assert.Equal(0, _decider.Decide(current: 0, demand: 1, min: 0, max: 0));

        Assert.Equal(1, _decider.Decide(current: 0, demand: 1, min: 0, max: 4));
    }

    [Fact]
    public void Decide_Burst_ScalesUpToMaxAndNotBeyond()
    {
        Assert.Equal(3, _decider.Decide(current: 1, demand: 17, min: 0, max: 4));
        Assert.Equal(4, _decider.Decide(current: 3, demand: 1000, min: 0, max: 4));
        Assert.Equal(4, _decider.Decide(current: 4, demand: 1000, min: 0, max: 4));
    }

    [Fact]
    public void Decide_DemandGone_ScalesDownOneReplicaPerFullWindow()
    {
        Assert.Equal(3, _decider.Decide(current: 3, demand: 0, min: 0, max: 4));
        _time.Advance(Window - TimeSpan.FromSeconds(1));
        Assert.Equal(3, _decider.Decide(current: 3, demand: 0, min: 0, max: 4));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, _decider.Decide(current: 3, demand: 0, min: 0, max: 4));

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(2, _decider.Decide(current: 2, demand: 0, min: 0, max: 4));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _decider.Decide(current: 2, demand: 0, min: 0, max: 4));
    }

    [Fact]
    public void Decide_DemandReturnsWithinTheWindow_RestartsTheWindow()
    {
        _decider.Decide(current: 2, demand: 0, min: 0, max: 4);
        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(2, _decider.Decide(current: 2, demand: 16, min: 0, max: 4));

        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(2, _decider.Decide(current: 2, demand: 0, min: 0, max: 4));
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(2, _decider.Decide(current: 2, demand: 0, min: 0, max: 4));
    }

    [Fact]
    public void Decide_IdleForLong_NeverGoesBelowMin()
    {
        var current = 4;
        for (var i = 0; i < 10; i++)
        {
            _decider.Decide(current, demand: 0, min: 2, max: 4);
            _time.Advance(Window);
            current = _decider.Decide(current, demand: 0, min: 2, max: 4);
        }

        Assert.Equal(2, current);
    }

    [Fact]
    public void Decide_AfterAScaleUpByDemand_GivesTheNewReplicaAWholeWindow()
    {
        _decider.Decide(current: 0, demand: 0, min: 0, max: 4);
        _time.Advance(Window * 2);

        Assert.Equal(1, _decider.Decide(current: 1, demand: 0, min: 0, max: 4));
        _time.Advance(Window - TimeSpan.FromSeconds(1));
        Assert.Equal(1, _decider.Decide(current: 1, demand: 0, min: 0, max: 4));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, _decider.Decide(current: 1, demand: 0, min: 0, max: 4));
    }

    [Fact]
    public void Decide_MaxLoweredBelowCurrent_DropsToMaxAtOnce()
    {
        Assert.Equal(1, _decider.Decide(current: 3, demand: 100, min: 0, max: 1));
    }

    [Fact]
    public void Decide_MinAboveWhatTheMachineCanPlace_StaysAtMaxWithoutAskingForMore()
    {
        // An operator's min of 3 on a machine that places 2: the autoscaler passes max 2. It asked for 3 on every poll
        // (a "scale 2 -> 3" line four times a second) while the runner kept 2.
        Assert.Equal(2, _decider.Decide(current: 2, demand: 0, min: 3, max: 2));
        Assert.Equal(2, _decider.Decide(current: 2, demand: 1000, min: 3, max: 2));
        Assert.Equal(2, _decider.Decide(current: 1, demand: 0, min: 3, max: 2));
    }

    [Fact]
    public void Decide_BufferWithDemand_KeepsSparesBeyondWhatDemandNeeds()
    {
        var decider = new ScaleDecider(new AutoscalePolicy(0, 4, 8, Window, Buffer: 1), _time);

        Assert.Equal(2, decider.Decide(current: 0, demand: 1, min: 0, max: 4));
        Assert.Equal(3, decider.Decide(current: 2, demand: 9, min: 0, max: 4));
        Assert.Equal(4, decider.Decide(current: 3, demand: 1000, min: 0, max: 4));
    }

    [Fact]
    public void Decide_BufferAndDemandGone_ScalesDownThroughTheSparesToMinAfterWindows()
    {
        var decider = new ScaleDecider(new AutoscalePolicy(0, 4, 8, Window, Buffer: 1), _time);
        Assert.Equal(2, decider.Decide(current: 0, demand: 3, min: 0, max: 4));

        Assert.Equal(2, decider.Decide(current: 2, demand: 3, min: 0, max: 4));
        _time.Advance(Window * 2);
        Assert.Equal(2, decider.Decide(current: 2, demand: 3, min: 0, max: 4));

        Assert.Equal(2, decider.Decide(current: 2, demand: 0, min: 0, max: 4));
        _time.Advance(Window);
        Assert.Equal(1, decider.Decide(current: 2, demand: 0, min: 0, max: 4));
        _time.Advance(Window);
        Assert.Equal(0, decider.Decide(current: 1, demand: 0, min: 0, max: 4));
    }

    [Fact]
    public void Decide_BufferAtMax_NeverExceedsMax()
    {
        var decider = new ScaleDecider(new AutoscalePolicy(1, 3, 8, Window, Buffer: 2), _time);

        Assert.Equal(3, decider.Decide(current: 1, demand: 16, min: 1, max: 3));
        Assert.Equal(3, decider.Decide(current: 3, demand: 1000, min: 1, max: 3));
    }
}
