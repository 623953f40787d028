using HdrHistogram;

namespace BenchPlatform.LoadTests.Results;

/// <summary>Count and percentiles of one latency distribution, in milliseconds.</summary>
public sealed record LatencyStats(long Count, double Mean, double Min, double P50, double P90, double P95, double P99, double P999, double Max)
{
    /// <summary>No requests.</summary>
    public static LatencyStats Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Reads a histogram recorded in microseconds.</summary>
    public static LatencyStats FromMicros(HistogramBase histogram)
    {
        if (histogram.TotalCount == 0)
        {
            return Empty;
        }

        static double Ms(long micros) => micros / 1000.0;
        return new LatencyStats(
            histogram.TotalCount,
            histogram.GetMean() / 1000.0,
            Ms(histogram.LowestEquivalentValue(histogram.RecordedValues().First().ValueIteratedTo)),
            Ms(histogram.GetValueAtPercentile(50)),
            Ms(histogram.GetValueAtPercentile(90)),
            Ms(histogram.GetValueAtPercentile(95)),
            Ms(histogram.GetValueAtPercentile(99)),
            Ms(histogram.GetValueAtPercentile(99.9)),
            Ms(histogram.GetMaxValue()));
    }

    /// <summary>The named metric (<c>p50</c>, <c>p99</c>, <c>mean</c>, <c>max</c>…), or null for an unknown name.</summary>
    public double? Get(string metric) => metric switch
    {
        "mean" => Mean,
        "min" => Min,
        "p50" or "median" => P50,
        "p90" => P90,
        "p95" => P95,
        "p99" => P99,
        "p999" or "p99.9" => P999,
        "max" => Max,
        "count" => Count,
        _ => null,
    };
}
