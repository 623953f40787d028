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
}
