using System.Text.Json;
using BenchPlatform.LoadTests.Results;

namespace BenchPlatform.LoadTests.Reports;

/// <summary>Writes <c>summary.json</c>: every step's counts, per-class percentiles (ms), server phases, metrics and thresholds.</summary>
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
            if (result.Actual is { } actual)
            {
                json.WriteNumber("actual", actual);
            }
            else
            {
                json.WriteNull("actual");
            }

            if (result.Threshold.Expression is { } expression)
            {
                json.WriteNumber("limit", expression.Limit);
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
        json.WriteNumber("target_rate", Round(run.TargetRate));
        json.WriteNumber("achieved_rate", Round(run.AchievedRate));
        json.WriteNumber("completed_rate", Round(run.CompletedRate));
        json.WriteNumber("goodput", Round(run.Goodput));
        json.WriteNumber("completed", run.Completed);
        json.WriteNumber("refused", run.Refused);
        json.WriteStartObject("failure_messages");
        foreach (var (message, count) in run.FailureMessages)
        {
            json.WriteNumber(message, count);
        }

        json.WriteEndObject();
        json.WriteNumber("measured_s", Round(run.MeasuredSeconds));
        json.WriteNumber("concurrency", run.Concurrency);
        json.WriteNumber("sent", run.Sent);
        json.WriteNumber("ok", run.Ok);
        json.WriteNumber("http_errors", run.HttpErrors);
        json.WriteNumber("timeouts", run.Timeouts);
        json.WriteNumber("failed", run.Failed);
        json.WriteNumber("dropped", run.Dropped);
        json.WriteNumber("late", run.Late);
        json.WriteNumber("error_rate", Round(run.ErrorRate));
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
            json.WriteNumber(name, Round(value));
        }

        json.WriteEndObject();
        json.WriteStartArray("replicas");
        foreach (var sample in run.Replicas)
        {
            json.WriteStartObject();
            json.WriteNumber("t", Round(sample.Seconds));
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
        json.WriteNumber("mean", Round(stats.Mean));
        json.WriteNumber("min", Round(stats.Min));
        json.WriteNumber("p50", Round(stats.P50));
        json.WriteNumber("p90", Round(stats.P90));
        json.WriteNumber("p95", Round(stats.P95));
        json.WriteNumber("p99", Round(stats.P99));
        json.WriteNumber("p999", Round(stats.P999));
        json.WriteNumber("max", Round(stats.Max));
        json.WriteEndObject();
    }

    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 4) : 0;
}
