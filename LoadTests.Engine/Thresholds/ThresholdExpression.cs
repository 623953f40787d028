using System.Globalization;
using BenchPlatform.LoadTests.Cli;

namespace BenchPlatform.LoadTests.Thresholds;

/// <summary>
/// One <c>--threshold</c>: <c>[scenario:]class.metric OP value[unit]</c>, e.g. <c>warm.p99&lt;20ms</c>,
/// <c>all.error_rate&lt;1%</c>, <c>cold_start:cold.max&lt;5s</c>, <c>all.rps&gt;40</c>, <c>tokens:metrics.tokens_per_s&gt;5</c>.
/// Latencies compare in milliseconds (a bare number is ms); a metric ending in <c>_uncorrected</c> reads the latency from the actual send.
/// </summary>
public sealed record ThresholdExpression(string Text, string? Scenario, string Class, string Metric, string Operator, double Limit)
{
    private static readonly string[] LatencyMetrics = ["p50", "median", "p90", "p95", "p99", "p999", "max", "min", "mean"];
    private static readonly string[] Classes = ["all", "warm", "cold", "cache_hit", "error", "metrics"];
    private static readonly string[] Operators = ["<=", ">=", "<", ">"];

    /// <summary>Parses a threshold; a mistake is a <see cref="UsageException"/> naming the part to change.</summary>
    public static ThresholdExpression Parse(string text)
    {
        var expression = text.Replace(" ", "", StringComparison.Ordinal);
        string? op = null;
        var at = -1;
        foreach (var candidate in Operators)
        {
            at = expression.IndexOf(candidate, StringComparison.Ordinal);
            if (at > 0)
            {
                op = candidate;
                break;
            }
        }

        if (op is null)
        {
            throw new UsageException($"--threshold '{text}' needs a comparison like \"warm.p99<20ms\" (operators <, <=, >, >=).");
        }

        var left = expression[..at];
        var right = expression[(at + op.Length)..];
        string? scenario = null;
        var colon = left.IndexOf(':');
        if (colon >= 0)
        {
            scenario = left[..colon];
            left = left[(colon + 1)..];
            if (scenario.Length == 0)
            {
                throw new UsageException($"--threshold '{text}': the scenario before ':' is empty.");
            }
        }

        var dot = left.IndexOf('.');
        if (dot <= 0 || dot == left.Length - 1)
        {
            throw new UsageException($"--threshold '{text}': the left side must be class.metric, e.g. warm.p99 or all.error_rate.");
        }

        var requestClass = left[..dot].ToLowerInvariant();
        var metric = left[(dot + 1)..].ToLowerInvariant();
        if (requestClass == "cache")
        {
            requestClass = "cache_hit";
        }

        if (Array.IndexOf(Classes, requestClass) < 0)
        {
            throw new UsageException($"--threshold '{text}': unknown class '{requestClass}'; use one of {string.Join(", ", Classes)}.");
        }

        var latency = IsLatency(metric);
        if (requestClass != "metrics" && !latency && metric is not ("error_rate" or "rps" or "count" or "dropped" or "late"))
        {
            throw new UsageException($"--threshold '{text}': unknown metric '{metric}'; use p50, p90, p95, p99, p999, max, mean (optionally _uncorrected), error_rate, rps, count, dropped or late.");
        }

        return new ThresholdExpression(text, scenario, requestClass, metric, op, ParseLimit(text, right, latency, metric == "error_rate"));
    }

    /// <summary>Whether the metric is a latency (compared in milliseconds).</summary>
    public static bool IsLatency(string metric)
    {
        var baseName = metric.EndsWith("_uncorrected", StringComparison.Ordinal) ? metric[..^"_uncorrected".Length] : metric;
        return Array.IndexOf(LatencyMetrics, baseName) >= 0;
    }

    /// <summary>Whether <paramref name="actual"/> satisfies the comparison.</summary>
    public bool Holds(double actual) => Operator switch
    {
        "<" => actual < Limit,
        "<=" => actual <= Limit,
        ">" => actual > Limit,
        _ => actual >= Limit,
    };

    private static double ParseLimit(string text, string right, bool latency, bool rate)
    {
        var split = right.Length;
        while (split > 0 && (char.IsLetter(right[split - 1]) || right[split - 1] is '%' or 'µ'))
        {
            split--;
        }

        var unit = right[split..].ToLowerInvariant();
        if (!double.TryParse(right[..split], NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            throw new UsageException($"--threshold '{text}': '{right}' is not a number with an optional unit.");
        }

        if (latency)
        {
            return unit switch
            {
                "" or "ms" => number,
                "s" => number * 1000,
                "us" or "µs" => number / 1000,
                _ => throw new UsageException($"--threshold '{text}': latency unit '{unit}' is unknown; use us, ms or s."),
            };
        }

        if (rate)
        {
            return unit switch
            {
                "%" => number / 100,
                "" => number,
                _ => throw new UsageException($"--threshold '{text}': error_rate takes a fraction or a percentage such as 1%."),
            };
        }

        return unit.Length == 0 ? number : throw new UsageException($"--threshold '{text}': '{unit}' is not a unit of this metric; give a plain number.");
    }
}
