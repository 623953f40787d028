using System.Globalization;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Results;

namespace BenchPlatform.LoadTests.Reports;

/// <summary>Writes <c>report.md</c>: latency per step and class (corrected, uncorrected beside it), phases, metrics, overheads, thresholds.</summary>
public static class MarkdownReport
{
    private static readonly string[] ClassOrder = ["all", "warm", "cold", "cache_hit", "error"];

    public static void Write(RunReport report, TextWriter w)
    {
        w.WriteLine($"# LoadTests: `{report.Scenario}` against {report.Target}");
        w.WriteLine();
        w.WriteLine($"Started {report.StartedAt:u}, finished {report.FinishedAt:u}. Command: `{string.Join(' ', report.Arguments)}`.");
        w.WriteLine();
        w.WriteLine("Latency in milliseconds, measured from each request's intended start (coordinated-omission corrected); the uncorrected p99 (from the actual send) is beside it. Warm-up requests are excluded.");
        w.WriteLine();
        if (report.Thresholds.Count > 0)
        {
            w.WriteLine("## Thresholds");
            w.WriteLine();
            w.WriteLine("| threshold | result | actual | where |");
            w.WriteLine("| --- | --- | ---: | --- |");
            foreach (var result in report.Thresholds)
            {
                w.WriteLine($"| `{result.Threshold.Text}` | {(result.Passed ? "pass" : "**FAIL**")} | {(result.Actual is { } a ? Units.Num(a, "0.###") : "no data")} | {result.Where} |");
            }

            w.WriteLine();
        }

        if (report.Failures.Count > 0)
        {
            w.WriteLine("## Scenarios that could not run");
            w.WriteLine();
            foreach (var failure in report.Failures)
            {
                w.WriteLine($"- {failure}");
            }

            w.WriteLine();
        }

        w.WriteLine("## Latency per step and class");
        w.WriteLine();
        w.WriteLine("| scenario | step | req/s (target → achieved) | sent | ok | errors | dropped | late | class | n | mean | median | p95 | p99 | max | p99 uncorrected |");
        w.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var run in report.Runs)
        {
            var first = true;
            foreach (var name in ClassOrder)
            {
                if (!run.Classes.TryGetValue(name, out var c))
                {
                    continue;
                }

                var s = c.Corrected;
                var rate = run.TargetRate > 0 ? $"{Units.Num(run.TargetRate, "0.#")} → {Units.Num(run.AchievedRate, "0.#")}" : Units.Num(run.AchievedRate, "0.#");
                var head = first
                    ? $"| {run.Scenario} | {run.Label} | {rate} | {run.Sent} | {run.Ok} | {run.HttpErrors + run.Failed + run.Timeouts} | {run.Dropped} | {run.Late} "
                    : "| | | | | | | | ";
                w.WriteLine($"{head}| {name} | {s.Count} | {Units.Ms(s.Mean)} | {Units.Ms(s.P50)} | {Units.Ms(s.P95)} | {Units.Ms(s.P99)} | {Units.Ms(s.Max)} | {Units.Ms(c.Uncorrected.P99)} |");
                first = false;
            }
        }

        w.WriteLine();
        WriteServer(report, w);
        WriteFailureMessages(report, w);
        WritePhases(report, w);
        WriteOverheads(report, w);
        WriteMetrics(report, w);
        WriteGenerator(report, w);
    }

    private static void WriteServer(RunReport report, TextWriter w)
    {
        w.WriteLine("## What the target did (by completion time in the measured window) and what the generator could not send");
        w.WriteLine();
        w.WriteLine("| scenario | step | completed/s | goodput (ok/s) | completed | refused (429/503) | not sent (dropped) | sent late |");
        w.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var run in report.Runs)
        {
            w.WriteLine($"| {run.Scenario} | {run.Label} | {Units.Num(run.CompletedRate, "0.#")} | {Units.Num(run.Goodput, "0.#")} | {run.Completed} | {run.Refused} | {run.Dropped} | {run.Late} |");
        }

        w.WriteLine();
    }

    private static void WriteFailureMessages(RunReport report, TextWriter w)
    {
        if (!report.Runs.Any(r => r.FailureMessages.Count > 0))
        {
            return;
        }

        w.WriteLine("## Failures by message");
        w.WriteLine();
        w.WriteLine("| scenario | step | count | message |");
        w.WriteLine("| --- | --- | ---: | --- |");
        foreach (var run in report.Runs)
        {
            foreach (var (message, count) in run.FailureMessages)
            {
                w.WriteLine($"| {run.Scenario} | {run.Label} | {count} | {message.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ")} |");
            }
        }

        w.WriteLine();
    }

    private static void WritePhases(RunReport report, TextWriter w)
    {
        if (!report.Runs.Any(r => r.Phases.Count > 0))
        {
            return;
        }

        w.WriteLine("## Server-side phases (from Server-Timing)");
        w.WriteLine();
        w.WriteLine("| scenario | step | phase | n | mean | median | p99 | max |");
        w.WriteLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var run in report.Runs)
        {
            foreach (var (name, s) in run.Phases)
            {
                w.WriteLine($"| {run.Scenario} | {run.Label} | {name} | {s.Count} | {Units.Ms(s.Mean)} | {Units.Ms(s.P50)} | {Units.Ms(s.P99)} | {Units.Ms(s.Max)} |");
            }
        }

        w.WriteLine();
    }

    private static void WriteOverheads(RunReport report, TextWriter w)
    {
        var gateways = report.Runs.Where(r => r.Metrics.ContainsKey("overhead_factor_mean")).ToList();
        if (gateways.Count == 0)
        {
            return;
        }

        w.WriteLine("## In-process vs gateway (modes)");
        w.WriteLine();
        w.WriteLine("| level | in-process mean | in-process median | gateway mean | gateway median | gateway p99 | overhead ×(mean) | overhead ×(median) | added median ms |");
        w.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var gateway in gateways)
        {
            var level = gateway.Label["gateway ".Length..];
            var baseline = report.Runs.FirstOrDefault(r => r.Scenario == "modes" && r.Label == "in-process " + level);
            var b = baseline?.Classes["all"].Corrected ?? LatencyStats.Empty;
            var g = gateway.Classes["all"].Corrected;
            w.WriteLine($"| {level} | {Units.Ms(b.Mean)} | {Units.Ms(b.P50)} | {Units.Ms(g.Mean)} | {Units.Ms(g.P50)} | {Units.Ms(g.P99)} | {Units.Num(gateway.Metrics["overhead_factor_mean"], "0.00")} | {Units.Num(gateway.Metrics["overhead_factor_p50"], "0.00")} | {Units.Ms(gateway.Metrics["overhead_ms_p50"])} |");
        }

        w.WriteLine();
    }

    private static void WriteMetrics(RunReport report, TextWriter w)
    {
        if (!report.Runs.Any(r => r.Metrics.Count > 0))
        {
            return;
        }

        w.WriteLine("## Scenario figures");
        w.WriteLine();
        w.WriteLine("| scenario | step | figure | value |");
        w.WriteLine("| --- | --- | --- | ---: |");
        foreach (var run in report.Runs)
        {
            foreach (var (name, value) in run.Metrics)
            {
                w.WriteLine($"| {run.Scenario} | {run.Label} | {name} | {value.ToString("0.###", CultureInfo.InvariantCulture)} |");
            }
        }

        w.WriteLine();
    }

    private static void WriteGenerator(RunReport report, TextWriter w)
    {
        var open = report.Runs.Where(r => r.Model is "open" or "mixed").ToList();
        if (open.Count == 0)
        {
            return;
        }

        w.WriteLine("## Generator (open model)");
        w.WriteLine();
        w.WriteLine("How late the generator itself sent requests after their intended start. Late and dropped requests are counted here, never hidden; a large lag means this machine, not the server, limited the rate.");
        w.WriteLine();
        w.WriteLine("| scenario | step | connections | lag median | lag p99 | lag max | late | dropped |");
        w.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var run in open)
        {
            w.WriteLine($"| {run.Scenario} | {run.Label} | {run.Concurrency} | {Units.Ms(run.Lag.P50)} | {Units.Ms(run.Lag.P99)} | {Units.Ms(run.Lag.Max)} | {run.Late} | {run.Dropped} |");
        }

        w.WriteLine();
    }
}
