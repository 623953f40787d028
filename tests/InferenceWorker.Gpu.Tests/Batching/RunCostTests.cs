using BenchPlatform.InferenceWorker.Batching;

namespace BenchPlatform.InferenceWorker.Tests.Batching;

public sealed class RunCostTests
{
    private static RunCost Learn(params (int Requests, int Rows, double Ms)[] runs)
    {
        var cost = new RunCost();
        cost.Record(1, 1, 500); // a session's first run: one-off allocations, not counted
        foreach (var (requests, rows, ms) in runs)
        {
            cost.Record(requests, rows, ms);
        }

        return cost;
    }

    [Fact]
    public void MaxRows_RunsOnALine_FitsTheFixedCostAndTheCostPerRow()
    {
        // 2 ms + 0.5 ms a row: a 12 ms budget fits 20 rows.
        var cost = Learn((1, 1, 2.5), (1, 4, 4), (2, 8, 6), (4, 16, 10), (1, 2, 3));

        Assert.Equal(20, cost.MaxRows(12, limit: 1024));
        Assert.Equal(8, cost.MaxRows(12, limit: 8));
        Assert.Equal(1, cost.MaxRows(1, limit: 1024));
    }

    [Fact]
    public void MaxRows_EveryRunTheSameSize_ChargesTheRunToItsRows()
    {
        var cost = Learn((1, 4, 8), (1, 4, 8));

        Assert.Equal(5, cost.MaxRows(10, limit: 1024));
    }

    [Fact]
    public void MaxRows_NothingMeasured_IsTheCountLimit()
    {
        Assert.Equal(64, new RunCost().MaxRows(1, limit: 64));
        Assert.False(Learn().Known);
    }

    [Fact]
    public void MsPerRequest_MergedRuns_IsTheRunsTimeOverItsRequests()
    {
        var cost = Learn((4, 4, 8));

        Assert.True(cost.Known);
        Assert.Equal(2, cost.MsPerRequest, 6);
    }

    [Fact]
    public void WaitScale_WaitsAsEstimated_StaysAtOne()
    {
        var cost = Learn((1, 1, 10), (1, 1, 10));

        for (var i = 0; i < 50; i++)
        {
            cost.RecordWait(cost.EstimatedWaitMs(queued: 8, runners: 2), waitedMs: 40);
        }

        Assert.Equal(40, cost.EstimatedWaitMs(8, 2), 3);
        Assert.InRange(cost.WaitScale, 0.99, 1.01);
    }

    [Fact]
    public void WaitScale_WaitsLongerThanEstimated_GrowsToTheirRatioAndNoFurtherThanEight()
    {
        var cost = Learn((1, 1, 10), (1, 1, 10));

        // 100 queued at 10 ms for 1 runner: 1000 ms estimated, 3000 ms waited ((3000 + 10) / (1000 + 10) = 2.98).
        for (var i = 0; i < 100; i++)
        {
            cost.RecordWait(cost.EstimatedWaitMs(100, 1), waitedMs: 3000);
        }

        Assert.InRange(cost.WaitScale, 2.9, 2.99);
        for (var i = 0; i < 100; i++)
        {
            cost.RecordWait(cost.EstimatedWaitMs(1, 1), waitedMs: 100_000);
        }

        Assert.Equal(8, cost.WaitScale);
    }

    [Fact]
    public void WaitScale_RequestsFindingTheQueueEmpty_WeighAgainstOneRequestsTimeNotZero()
    {
        var cost = Learn((1, 1, 10), (1, 1, 10));

        // Nothing queued ahead, half a run left of the one under way: (5 + 10) / (0 + 10).
        for (var i = 0; i < 100; i++)
        {
            cost.RecordWait(cost.EstimatedWaitMs(0, 1), waitedMs: 5);
        }

        Assert.InRange(cost.WaitScale, 1.45, 1.5);
        cost.RecordWait(double.NaN, waitedMs: 10_000);
        Assert.InRange(cost.WaitScale, 1.45, 1.5);
    }
}
