using BenchPlatform.LoadTests.Results;

namespace BenchPlatform.LoadTests;

/// <summary>The successful or the failed part of a scenario or step: counts and corrected latency (ms).</summary>
public sealed record MeasurementStats(RequestCount Request, LatencyStats Latency)
{
    internal static (MeasurementStats Ok, MeasurementStats Fail) From(RunSummary summary)
    {
        var fail = summary.HttpErrors + summary.Timeouts + summary.Failed;
        var seconds = Math.Max(summary.MeasuredSeconds, 1e-6);
        double Percent(long n) => summary.Sent == 0 ? 0 : n * 100.0 / summary.Sent;
        var failLatency = summary.Classes.TryGetValue("error", out var errors) ? errors.Corrected : LatencyStats.Empty;
        return (new MeasurementStats(new RequestCount(summary.Ok, summary.Ok / seconds, Percent(summary.Ok)), summary.OkLatency),
            new MeasurementStats(new RequestCount(fail, fail / seconds, Percent(fail)), failLatency));
    }
}
