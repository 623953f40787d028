using System.Globalization;
using System.Net;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Engine;
using BenchPlatform.LoadTests.Results;
using HdrHistogram;

namespace BenchPlatform.LoadTests.Reports;

/// <summary>
/// Writes <c>report.html</c>: the Markdown report's tables plus, per step, inline SVG charts (latency over time with cold
/// starts marked, percentile distribution corrected vs uncorrected, completions per second, replicas). No script, no network.
/// </summary>
public static class HtmlReport
{
    private static readonly string[] ClassOrder = ["all", "warm", "cold", "cache_hit", "error"];
    private static readonly double[] Percentiles = [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96.25, 97.5, 98.125, 98.75, 99, 99.375, 99.5, 99.6875, 99.75, 99.84375, 99.9, 99.95, 99.975, 99.99, 99.995, 99.999];

    public static void Write(RunReport report, TextWriter w)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        w.Write("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>LoadTests: ");
        w.Write(E(report.Scenario));
        w.Write("</title><style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ddd;padding:3px 8px;font-size:13px}td.n{text-align:right}th{background:#f3f3f3}.fail{color:#b00;font-weight:bold}.pass{color:#070}section{margin:24px 0;border-top:1px solid #ccc}svg{margin:4px 8px 4px 0}</style></head><body>");
        w.Write($"<h1>LoadTests: <code>{E(report.Scenario)}</code> against {E(report.Target.ToString())}</h1>");
        w.Write($"<p>Started {report.StartedAt:u}, finished {report.FinishedAt:u}. Command: <code>{E(string.Join(' ', report.Arguments))}</code></p>");
        w.Write("<p>Latency in milliseconds from each request's <em>intended</em> start (coordinated-omission corrected); the uncorrected p99 (from the actual send) is beside it. Warm-up requests are excluded. Red points are cold starts.</p>");
        if (report.Thresholds.Count > 0)
        {
            w.Write("<h2>Thresholds</h2><table><tr><th>threshold</th><th>result</th><th>actual</th><th>where</th></tr>");
            foreach (var t in report.Thresholds)
            {
                w.Write($"<tr><td><code>{E(t.Threshold.Text)}</code></td><td class=\"{(t.Passed ? "pass" : "fail")}\">{(t.Passed ? "pass" : "FAIL")}</td><td class=\"n\">{(t.Actual is { } a ? Units.Num(a, "0.###") : "no data")}</td><td>{E(t.Where)}</td></tr>");
            }

            w.Write("</table>");
        }

        foreach (var failure in report.Failures)
        {
            w.Write($"<p class=\"fail\">Could not run: {E(failure)}</p>");
        }

        w.Write("<h2>Latency per step and class</h2><table><tr><th>scenario</th><th>step</th><th>req/s target</th><th>req/s achieved</th><th>sent</th><th>ok</th><th>errors</th><th>dropped</th><th>late</th><th>class</th><th>n</th><th>mean</th><th>median</th><th>p95</th><th>p99</th><th>max</th><th>p99 uncorrected</th></tr>");
        foreach (var run in report.Runs)
        {
            foreach (var name in ClassOrder)
            {
                if (!run.Classes.TryGetValue(name, out var c))
                {
                    continue;
                }

                var s = c.Corrected;
                w.Write($"<tr><td>{E(run.Scenario)}</td><td>{E(run.Label)}</td><td class=\"n\">{Units.Num(run.TargetRate, "0.#")}</td><td class=\"n\">{Units.Num(run.AchievedRate, "0.#")}</td><td class=\"n\">{run.Sent}</td><td class=\"n\">{run.Ok}</td><td class=\"n\">{run.HttpErrors + run.Failed + run.Timeouts}</td><td class=\"n\">{run.Dropped}</td><td class=\"n\">{run.Late}</td><td>{name}</td><td class=\"n\">{s.Count}</td><td class=\"n\">{Units.Ms(s.Mean)}</td><td class=\"n\">{Units.Ms(s.P50)}</td><td class=\"n\">{Units.Ms(s.P95)}</td><td class=\"n\">{Units.Ms(s.P99)}</td><td class=\"n\">{Units.Ms(s.Max)}</td><td class=\"n\">{Units.Ms(c.Uncorrected.P99)}</td></tr>");
            }
        }

        w.Write("</table>");
        w.Write("<h2>What the target did</h2><p>By completion time in the measured window, beside what the generator could not send.</p><table><tr><th>scenario</th><th>step</th><th>completed/s</th><th>goodput (ok/s)</th><th>completed</th><th>refused (429/503)</th><th>not sent (dropped)</th></tr>");
        foreach (var run in report.Runs)
        {
            w.Write($"<tr><td>{E(run.Scenario)}</td><td>{E(run.Label)}</td><td class=\"n\">{Units.Num(run.CompletedRate, "0.#")}</td><td class=\"n\">{Units.Num(run.Goodput, "0.#")}</td><td class=\"n\">{run.Completed}</td><td class=\"n\">{run.Refused}</td><td class=\"n\">{run.Dropped}</td></tr>");
        }

        w.Write("</table>");
        if (report.Runs.Any(r => r.Metrics.Count > 0 || r.Phases.Count > 0))
        {
            w.Write("<h2>Server phases and scenario figures</h2><table><tr><th>scenario</th><th>step</th><th>figure</th><th>value</th></tr>");
            foreach (var run in report.Runs)
            {
                foreach (var (name, s) in run.Phases)
                {
                    w.Write($"<tr><td>{E(run.Scenario)}</td><td>{E(run.Label)}</td><td>server {name} ms (mean / median / p99)</td><td class=\"n\">{Units.Ms(s.Mean)} / {Units.Ms(s.P50)} / {Units.Ms(s.P99)}</td></tr>");
                }

                foreach (var (name, value) in run.Metrics)
                {
                    w.Write($"<tr><td>{E(run.Scenario)}</td><td>{E(run.Label)}</td><td>{E(name)}</td><td class=\"n\">{value.ToString("0.###", CultureInfo.InvariantCulture)}</td></tr>");
                }
            }

            w.Write("</table>");
        }

        foreach (var run in report.Runs)
        {
            w.Write($"<section><h3>{E(run.Scenario)} / {E(run.Label)}</h3>");
            if (run.Records is { Records.Length: > 0 } records)
            {
                w.Write(LatencyOverTime(records));
                w.Write(Distribution(run));
                w.Write(Throughput(records));
            }

            if (run.Replicas.Count > 0)
            {
                w.Write(Replicas(run.Replicas));
            }

            w.Write("</section>");
        }

        w.Write("</body></html>");
    }

    private static string LatencyOverTime(RunRecords run)
    {
        double tMax = 0, yMax = 0;
        foreach (var r in run.Records)
        {
            tMax = Math.Max(tMax, run.Ms(r.IntendedTicks) / 1000);
            yMax = Math.Max(yMax, run.Ms(r.CorrectedTicks));
        }

        // A burst starts every request within microseconds: give the axis at least a second so it stays readable.
        tMax = Math.Max(tMax, 1);

        // The largest latency per class in each of 400 time buckets, plus every cold start and error.
        const int Buckets = 400;
        var width = Math.Max(tMax, 1e-3) / Buckets;
        var chart = new SvgChart("Latency over time (corrected; max per bucket, every cold start and error)", "seconds since start", "ms", 0, tMax, 0, yMax);
        var byClass = new Dictionary<RequestClass, (double X, double Y)[]>();
        var marked = new List<(double, double)>();
        var errors = new List<(double, double)>();
        foreach (var r in run.Records)
        {
            var x = run.Ms(r.IntendedTicks) / 1000;
            var y = run.Ms(r.CorrectedTicks);
            if (r.Class == RequestClass.Cold)
            {
                marked.Add((x, y));
                continue;
            }

            if (r.Class == RequestClass.Error)
            {
                errors.Add((x, y));
                continue;
            }

            if (!byClass.TryGetValue(r.Class, out var buckets))
            {
                byClass[r.Class] = buckets = new (double, double)[Buckets + 1];
                Array.Fill(buckets, (double.NaN, -1));
            }

            var b = Math.Min(Buckets, (int)(x / width));
            if (y > buckets[b].Y)
            {
                buckets[b] = (x, y);
            }
        }

        foreach (var (requestClass, buckets) in byClass)
        {
            chart.Points(Summarizer.ClassName(requestClass), buckets.Where(p => p.Y >= 0), 2);
        }

        chart.Points("error", errors, 2.5);
        chart.Points("cold", marked, 4);
        return chart.Render();
    }

    private static string Distribution(RunSummary run)
    {
        double yMax = 0;
        foreach (var c in run.Classes.Values)
        {
            yMax = Math.Max(yMax, Math.Max(c.Corrected.Max, c.Uncorrected.Max));
        }

        var chart = new SvgChart("Percentile distribution (corrected; uncorrected dashed)", "percentile", "ms", 0, 5, 0, yMax, logX: true);
        foreach (var name in ClassOrder)
        {
            if (run.Classes.TryGetValue(name, out var c) && c.Histogram is { } h)
            {
                chart.Line(name, Curve(h));
            }
        }

        if (run.Classes.TryGetValue("all", out var all) && all.UncorrectedHistogram is { } u)
        {
            chart.Line("uncorrected", Curve(u), dashed: true);
        }

        return chart.Render();
    }

    private static List<(double X, double Y)> Curve(HistogramBase histogram)
    {
        var points = new List<(double, double)>(Percentiles.Length);
        foreach (var p in Percentiles)
        {
            points.Add((Math.Min(5, Math.Log10(1 / (1 - (p / 100)))), histogram.GetValueAtPercentile(p) / 1000.0));
        }

        return points;
    }

    private static string Throughput(RunRecords run)
    {
        var perSecond = new SortedDictionary<int, int>();
        foreach (var r in run.Records)
        {
            var second = (int)(run.Ms(r.EndTicks) / 1000);
            perSecond[second] = perSecond.GetValueOrDefault(second) + 1;
        }

        var bars = perSecond.Select(p => ((double)p.Key, (double)p.Value)).ToList();
        var chart = new SvgChart("Completed requests per second (warm-up included)", "seconds since start", "req/s", 0, perSecond.Keys.Max() + 1, 0, perSecond.Values.Max());
        chart.Bars("completed", bars, 1);
        return chart.Render();
    }

    private static string Replicas(List<ScaleSample> samples)
    {
        var yMax = samples.Max(s => Math.Max(s.Ready, s.Desired));
        var chart = new SvgChart("Inference replicas (GET /v1/scale)", "seconds since start", "replicas", 0, samples[^1].Seconds, 0, Math.Max(1, yMax));
        chart.Line("ready", samples.Select(s => (s.Seconds, (double)s.Ready)).ToList(), step: true);
        chart.Line("desired", samples.Select(s => (s.Seconds, (double)s.Desired)).ToList(), dashed: true, step: true);
        return chart.Render();
    }
}
