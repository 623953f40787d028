using System.Text.Json;
using BenchPlatform.LoadTests.Results;
using BenchPlatform.LoadTests.Thresholds;

namespace BenchPlatform.LoadTests.Reports;

/// <summary>
/// Writes <c>summary.json</c>: every step's counts, per-class percentiles (ms), server phases, metrics and thresholds.
/// A number that is not finite (a metric that could not be measured) is written as <c>null</c>.
/// </summary>
public static class JsonReport
{
    public const int Schema = 1;

    public static void Write(RunReport report, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("tool", "BenchPlatform.LoadTests");
        json.WriteNumber("schema", Schema);
        json.WriteString("scenario", report.Scenario);
        json.WriteString("target", report.Target.ToString());
        json.WriteString("started_at", report.StartedAt);
        json.WriteString("finished_at", report.FinishedAt);
        json.WriteStartArray("arguments");
        foreach (var argument in report.Arguments)
        {
            json.WriteStringValue(argument);
        }

        json.WriteEndArray();
        json.WriteStartArray("runs");
        foreach (var run in report.Runs)
        {
            WriteRun(json, run);
        }

        json.WriteEndArray();
        json.WriteStartArray("thresholds");
        foreach (var result in report.Thresholds)
        {
            json.WriteStartObject();
            json.WriteString("expression", result.Threshold.Text);
            json.WriteBoolean("passed", result.Passed);
            json.WriteFinite("actual", result.Actual ?? double.NaN, 15);
            if (result.Threshold.Expression is { } expression)
            {
                json.WriteFinite("limit", expression.Limit, 15);
            }

            json.WriteString("where", result.Where);
            json.WriteString("message", result.Message);
            WriteLiveChecks(json, result, report.LiveChecks is not null);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteLiveCheckSummary(json, report);
        json.WriteStartArray("failures");
        foreach (var failure in report.Failures)
        {
            json.WriteStringValue(failure);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A threshold's checks while the run went: how many, how many failed, whether they stopped the run and when.</summary>
    private static void WriteLiveChecks(Utf8JsonWriter json, ThresholdResult result, bool checkedWhileRunning)
    {
        json.WriteBoolean("checked_while_running", checkedWhileRunning);
        if (result.Threshold.AbortWhenErrorCount is { } limit)
        {
            json.WriteNumber("abort_when_error_count", limit);
        }
        else
        {
            json.WriteNull("abort_when_error_count");
        }

        json.WriteFinite("start_check_after_s", result.Threshold.StartCheckAfter.TotalSeconds, 3);
        json.WriteNumber("checks", result.Checks);
        json.WriteNumber("failed_checks", result.FailedChecks);
        json.WriteBoolean("stopped_run", result.AbortedRun);
        json.WriteFinite("stopped_at_s", result.StoppedAt?.TotalSeconds ?? double.NaN, 3);
    }

    /// <summary><c>live_checks</c>: null when thresholds were checked only at the end; else the interval, rounds, and the stop.</summary>
    private static void WriteLiveCheckSummary(Utf8JsonWriter json, RunReport report)
    {
        if (report.LiveChecks is not { } live)
        {
            json.WriteNull("live_checks");
            return;
        }

        ThresholdResult? stopper = null;
        foreach (var result in report.Thresholds)
        {
            if (result.AbortedRun && (stopper is null || result.StoppedAt < stopper.StoppedAt))
            {
                stopper = result;
            }
        }

        json.WriteStartObject("live_checks");
        json.WriteFinite("interval_s", live.Interval.TotalSeconds, 3);
        json.WriteNumber("rounds", live.Rounds);
        json.WriteNumber("thresholds_checked", CountChecked(report.Thresholds));
        json.WriteNumber("failed_checks", SumFailed(report.Thresholds));
        json.WriteBoolean("stopped_run", stopper is not null);
        json.WriteFinite("stopped_at_s", stopper?.StoppedAt?.TotalSeconds ?? double.NaN, 3);
        if (stopper is not null)
        {
            json.WriteString("stopped_by", stopper.Threshold.Text);
        }
        else
        {
            json.WriteNull("stopped_by");
        }

        json.WriteEndObject();
    }

    private static int CountChecked(IReadOnlyList<ThresholdResult> results)
    {
        var count = 0;
        foreach (var result in results)
        {
            count += result.Checks > 0 ? 1 : 0;
        }

        return count;
    }

    private static int SumFailed(IReadOnlyList<ThresholdResult> results)
    {
        var sum = 0;
        foreach (var result in results)
        {
            sum += result.FailedChecks;
        }

        return sum;
    }

    private static void WriteRun(Utf8JsonWriter json, RunSummary run)
    {
        json.WriteStartObject();
        json.WriteString("scenario", run.Scenario);
        json.WriteString("label", run.Label);
        json.WriteString("model", run.Model);
        json.WriteStartObject("parameters");
        foreach (var (key, value) in run.Parameters)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
        json.WriteFinite("target_rate", run.TargetRate);
        json.WriteFinite("achieved_rate", run.AchievedRate);
        json.WriteFinite("completed_rate", run.CompletedRate);
        json.WriteFinite("goodput", run.Goodput);
        json.WriteNumber("completed", run.Completed);
        json.WriteNumber("refused", run.Refused);
        json.WriteStartObject("failure_messages");
        foreach (var (message, count) in run.FailureMessages)
        {
            json.WriteNumber(message, count);
        }

        json.WriteEndObject();
        json.WriteFinite("measured_s", run.MeasuredSeconds);
        json.WriteNumber("concurrency", run.Concurrency);
        json.WriteNumber("sent", run.Sent);
        json.WriteNumber("ok", run.Ok);
        json.WriteNumber("http_errors", run.HttpErrors);
        json.WriteNumber("timeouts", run.Timeouts);
        json.WriteNumber("failed", run.Failed);
        json.WriteNumber("due", run.Due);
        json.WriteNumber("dropped", run.Dropped);
        json.WriteNumber("late", run.Late);
        json.WriteFinite("error_rate", run.ErrorRate);
        json.WritePropertyName("generator_lag_ms");
        WriteStats(json, run.Lag);
        json.WriteStartObject("classes");
        foreach (var (name, summary) in run.Classes)
        {
            json.WriteStartObject(name);
            json.WritePropertyName("corrected");
            WriteStats(json, summary.Corrected);
            json.WritePropertyName("uncorrected");
            WriteStats(json, summary.Uncorrected);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteStartObject("server_phases_ms");
        foreach (var (name, stats) in run.Phases)
        {
            json.WritePropertyName(name);
            WriteStats(json, stats);
        }

        json.WriteEndObject();
        json.WriteStartObject("metrics");
        foreach (var (name, value) in run.Metrics)
        {
            json.WriteFinite(name, value);
        }

        json.WriteEndObject();
        json.WriteStartArray("replicas");
        foreach (var sample in run.Replicas)
        {
            json.WriteStartObject();
            json.WriteFinite("t", sample.Seconds);
            json.WriteNumber("ready", sample.Ready);
            json.WriteNumber("desired", sample.Desired);
            json.WriteNumber("inflight", sample.InFlight);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteStats(Utf8JsonWriter json, LatencyStats stats)
    {
        json.WriteStartObject();
        json.WriteNumber("count", stats.Count);
        json.WriteFinite("mean", stats.Mean);
        json.WriteFinite("min", stats.Min);
        json.WriteFinite("p50", stats.P50);
        json.WriteFinite("p90", stats.P90);
        json.WriteFinite("p95", stats.P95);
        json.WriteFinite("p99", stats.P99);
        json.WriteFinite("p999", stats.P999);
        json.WriteFinite("max", stats.Max);
        json.WriteEndObject();
    }
}
