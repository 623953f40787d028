using BenchPlatform.AppHost.Dashboard.Load;

namespace BenchPlatform.AppHost.Tests.Dashboard;

public sealed class LoadTimelineTests
{
    private const long Base = 1_795_462_250_000; // a whole second, in Unix ms

    [Fact]
    public void RecordRequest_HundredRequestsInOneSecond_GivesCountErrorsAndNearestRankPercentiles()
    {
        var timeline = new LoadTimeline(60);
        for (var i = 1; i <= 100; i++)
        {
            timeline.RecordRequest(Base + i, durationMs: i, error: i % 10 == 0);
        }

        var point = timeline.Snapshot(Base, Base).Requests.Single();

        Assert.Equal(100, point.Count);
        Assert.Equal(10, point.Errors);
        Assert.Equal(50, point.P50);
        Assert.Equal(95, point.P95);
        Assert.Equal(99, point.P99);
    }

    [Fact]
    public void Snapshot_SecondsWithoutRequests_AreZeroWithoutPercentiles()
    {
        var timeline = new LoadTimeline(60);
        timeline.RecordRequest(Base, 5, false);

        var points = timeline.Snapshot(Base, Base + 2_000).Requests;

        Assert.Equal([1L, 0L, 0L], points.Select(p => p.Count));
        Assert.Null(points[1].P50);
        Assert.Equal([Base, Base + 1_000, Base + 2_000], points.Select(p => p.T));
    }

    [Fact]
    public void RecordRequest_OlderThanTheWindow_OverwrittenOrIgnored()
    {
        var timeline = new LoadTimeline(10);
        timeline.RecordRequest(Base, 1, false);
        timeline.RecordRequest(Base + 10_000, 1, false); // same slot, ten seconds later

        timeline.RecordRequest(Base, 1, false); // arrives late: its second has left the window

        var points = timeline.Snapshot(Base, Base + 10_000).Requests;
        Assert.Equal(10, points.Count);
        Assert.Equal(1, points[^1].Count);
        Assert.Equal(1, points.Sum(p => p.Count));
    }

    [Fact]
    public void RecordRequest_MoreThanTheSampleBound_StillCountsEveryRequest()
    {
        var timeline = new LoadTimeline(10);
        for (var i = 0; i < LoadTimeline.SamplesPerSecond * 3; i++)
        {
            timeline.RecordRequest(Base, 10, false);
        }

        var point = timeline.Snapshot(Base, Base).Requests.Single();

        Assert.Equal(LoadTimeline.SamplesPerSecond * 3, point.Count);
        Assert.Equal(10, point.P99);
    }

    [Fact]
    public void RecordGauges_PerResource_ReturnedPerSecond()
    {
        var timeline = new LoadTimeline(60);
        timeline.RecordGauges("inference", Base, ready: 1, desired: 2, inflight: 5, waiting: 1);
        timeline.RecordGauges("inference", Base + 1_000, ready: 2, desired: 2, inflight: 3, waiting: 0);

        var points = timeline.Snapshot(Base, Base + 1_000).Replicas["inference"];

        Assert.Equal([1, 2], points.Select(p => p.Ready));
        Assert.Equal([2, 2], points.Select(p => p.Desired));
        Assert.Equal([5, 3], points.Select(p => p.Inflight));
    }

    [Theory]
    [InlineData(new double[] { }, 0.5, null)]
    [InlineData(new double[] { 7 }, 0.99, 7.0)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.5, 2.0)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.95, 4.0)]
    public void Percentile_NearestRank(double[] sorted, double q, double? expected)
    {
        Assert.Equal(expected, LoadTimeline.Percentile(sorted, q));
    }
}
