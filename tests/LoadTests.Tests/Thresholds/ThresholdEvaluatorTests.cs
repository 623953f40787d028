using BenchPlatform.LoadTests.Results;
using BenchPlatform.LoadTests.Thresholds;

namespace BenchPlatform.LoadTests.Tests.Thresholds;

public sealed class ThresholdEvaluatorTests
{
    private static RunSummary Step(string scenario, double correctedP99, double uncorrectedP99, Dictionary<string, double>? metrics = null) => new()
    {
        Scenario = scenario,
        Label = "step",
        Model = "open",
        Sent = 100,
        Ok = 98,
        HttpErrors = 2,
        AchievedRate = 49.5,
        Classes = new()
        {
            ["warm"] = new ClassSummary
            {
                Corrected = new LatencyStats(100, 5, 1, 4, 6, 7, correctedP99, correctedP99, correctedP99),
                Uncorrected = new LatencyStats(100, 4, 1, 3, 5, 6, uncorrectedP99, uncorrectedP99, uncorrectedP99),
            },
        },
        Metrics = metrics ?? [],
    };

    private static ThresholdResult One(string expression, params RunSummary[] runs) =>
        ThresholdEvaluator.Evaluate([Threshold.Parse(expression)], runs)[0];

    [Theory]
    [InlineData("warm.p99<20ms", true, 12)]
    [InlineData("warm.p99<0.01s", false, 12)]
    [InlineData("warm.p99_uncorrected<5", true, 3)]
    [InlineData("warm.p99<=12000us", true, 12)]
    [InlineData("all.error_rate<1%", false, 0.02)]
    [InlineData("all.error_rate<=0.02", true, 0.02)]
    [InlineData("all.rps>=49", true, 49.5)]
    [InlineData("warm.count>99", true, 100)]
    [InlineData("tokens:metrics.tokens_per_s>5", true, 7.5)]
    public void Evaluate_Expression_ReadsTheRightFigure(string expression, bool passed, double actual)
    {
        var result = One(expression, Step("warm", 12, 3), Step("tokens", 12, 3, new() { ["tokens_per_s"] = 7.5 }));

        Assert.Equal(passed, result.Passed);
        Assert.Equal(actual, result.Actual!.Value, 6);
    }

    [Fact]
    public void Evaluate_OneStepFails_TheThresholdFailsAndNamesThatStep()
    {
        var result = One("warm.p99<20ms", Step("warm", 12, 3), Step("complexity", 25, 3));

        Assert.False(result.Passed);
        Assert.Equal("complexity/step", result.Where);
        Assert.Equal(25, result.Actual);
    }

    [Fact]
    public void Evaluate_ScenarioPrefix_OnlyThatScenarioCounts()
    {
        Assert.True(One("warm:warm.p99<20ms", Step("warm", 12, 3), Step("complexity", 25, 3)).Passed);
    }

    [Fact]
    public void Evaluate_NoStepHasTheClass_Fails()
    {
        var result = One("cold.p99<10s", Step("warm", 12, 3));

        Assert.False(result.Passed);
        Assert.Null(result.Actual);
        Assert.Contains("no request of class 'cold'", result.Message);
    }
}
