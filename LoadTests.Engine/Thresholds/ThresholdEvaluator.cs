using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Results;

namespace BenchPlatform.LoadTests.Thresholds;

/// <summary>Checks thresholds against every step of the run that has data for them; no data at all is a failure.</summary>
public static class ThresholdEvaluator
{
    /// <summary>Evaluates the expression thresholds (<see cref="Threshold.Parse"/>); predicate thresholds are the runner's.</summary>
    public static List<ThresholdResult> Evaluate(IReadOnlyList<Threshold> thresholds, IReadOnlyList<RunSummary> runs)
    {
        var results = new List<ThresholdResult>(thresholds.Count);
        foreach (var threshold in thresholds)
        {
            if (threshold.Expression is { } expression)
            {
                results.Add(EvaluateOne(threshold, expression, runs));
            }
        }

        return results;
    }

    /// <summary>The value a threshold reads from one step, or null when the step has no such data.</summary>
    public static double? Read(ThresholdExpression threshold, RunSummary run)
    {
        if (threshold.Class == "metrics")
        {
            // NaN is a metric that could not be measured (no process alive in both RSS windows): no value, not a pass or a
            // fail of its own. An infinite value is compared as it is.
            return run.Metrics.TryGetValue(threshold.Metric, out var value) && !double.IsNaN(value) ? value : null;
        }

        switch (threshold.Metric)
        {
            case "error_rate": return run.Sent == 0 ? null : run.ErrorRate;
            case "rps": return run.AchievedRate;
            case "dropped": return run.Dropped;
            case "late": return run.Late;
        }

        if (!run.Classes.TryGetValue(threshold.Class, out var summary))
        {
            return threshold.Metric == "count" ? 0 : null;
        }

        if (threshold.Metric == "count")
        {
            return summary.Corrected.Count;
        }

        return threshold.Metric.EndsWith("_uncorrected", StringComparison.Ordinal)
            ? summary.Uncorrected.Get(threshold.Metric[..^"_uncorrected".Length])
            : summary.Corrected.Get(threshold.Metric);
    }

    private static ThresholdResult EvaluateOne(Threshold wrapper, ThresholdExpression threshold, IReadOnlyList<RunSummary> runs)
    {
        ThresholdResult? worst = null;
        foreach (var run in runs)
        {
            if (threshold.Scenario is not null && threshold.Scenario != run.Scenario && threshold.Scenario != $"{run.Scenario}/{run.Label}")
            {
                continue;
            }

            if (Read(threshold, run) is not { } actual)
            {
                continue;
            }

            var where = $"{run.Scenario}/{run.Label}";
            var passed = threshold.Holds(actual);
            var shown = ThresholdExpression.IsLatency(threshold.Metric) ? $"{Units.Ms(actual)} ms" : Units.Num(actual, "0.####");
            var result = new ThresholdResult(wrapper, passed, actual, where, $"{threshold.Text}: {(passed ? "ok" : "FAILED")} ({shown} at {where})");
            if (worst is null || (worst.Passed && !passed))
            {
                worst = result;
            }
        }

        var missing = threshold.Class == "metrics" ? $"no value of metric '{threshold.Metric}'" : $"no request of class '{threshold.Class}'";
        return worst ?? new ThresholdResult(wrapper, false, null, "", $"{threshold.Text}: FAILED ({missing} in {threshold.Scenario ?? "any scenario"})");
    }
}
