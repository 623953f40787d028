using System.Text.Json;
using BenchPlatform.LoadTests.Results;

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
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("failures");
        foreach (var failure in report.Failures)
        {
            json.WriteStringValue(failure);
        }

        json.WriteEndArray();
        json.WriteEndObject();
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
