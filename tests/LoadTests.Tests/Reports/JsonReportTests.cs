using System.Text.Json;
using BenchPlatform.LoadTests.Reports;
using BenchPlatform.LoadTests.Results;
using BenchPlatform.LoadTests.Thresholds;

namespace BenchPlatform.LoadTests.Tests.Reports;

public sealed class JsonReportTests
{
    [Fact]
    public void Write_NonFiniteActualsAndMetrics_WritesNullWhereJsonHasNoNumber()
    {
        // The soak's case: rss_growth_pct was NaN (no process alive in both windows) and a threshold's actual infinite;
        // Utf8JsonWriter throws on either, and the report was lost with the whole run.
        var run = new RunSummary
        {
            Scenario = "soak",
            Label = "memory",
            Model = "open",
            AchievedRate = double.PositiveInfinity,
            Metrics = new() { ["rss_growth_pct"] = double.NaN, ["rss_growth_pct gateway"] = double.PositiveInfinity, ["rss_start_mb gateway"] = 41.25 },
        };
        var thresholds = new List<ThresholdResult>
        {
            new(Threshold.Parse("soak:metrics.rss_growth_pct<10"), false, double.PositiveInfinity, "soak/memory", "FAILED"),
            new(Threshold.Parse("all.error_rate<=0"), false, double.NaN, "soak/memory", "FAILED"),
            new(Threshold.Parse("all.rps>1"), true, 20, "soak/infer", "ok"),
        };
        var report = new RunReport
        {
            Scenario = "soak",
            Target = "http://127.0.0.1:8080/",
            Arguments = ["soak"],
            StartedAt = DateTimeOffset.UnixEpoch,
            FinishedAt = DateTimeOffset.UnixEpoch,
            Runs = [run],
            Thresholds = thresholds,
        };

        using var stream = new MemoryStream();
        JsonReport.Write(report, stream);

        using var json = JsonDocument.Parse(stream.ToArray());
        var written = json.RootElement.GetProperty("runs")[0];
        Assert.Equal(JsonValueKind.Null, written.GetProperty("achieved_rate").ValueKind);
        Assert.Equal(JsonValueKind.Null, written.GetProperty("metrics").GetProperty("rss_growth_pct").ValueKind);
        Assert.Equal(JsonValueKind.Null, written.GetProperty("metrics").GetProperty("rss_growth_pct gateway").ValueKind);
        Assert.Equal(41.25, written.GetProperty("metrics").GetProperty("rss_start_mb gateway").GetDouble());
        var actuals = json.RootElement.GetProperty("thresholds").EnumerateArray().Select(t => t.GetProperty("actual")).ToList();
        Assert.Equal(JsonValueKind.Null, actuals[0].ValueKind);
        Assert.Equal(JsonValueKind.Null, actuals[1].ValueKind);
        Assert.Equal(20, actuals[2].GetDouble());
    }

    [Fact]
    public void Evaluate_MetricThatIsNaN_FailsAsNoValueNotAsANumber()
    {
        var memory = new RunSummary { Scenario = "soak", Label = "memory", Model = "open", Metrics = new() { ["rss_growth_pct"] = double.NaN } };

        var result = ThresholdEvaluator.Evaluate([Threshold.Parse("soak:metrics.rss_growth_pct<10")], [memory])[0];

        Assert.False(result.Passed);
        Assert.Null(result.Actual);
        Assert.Contains("no value of metric 'rss_growth_pct'", result.Message, StringComparison.Ordinal);
    }
}
