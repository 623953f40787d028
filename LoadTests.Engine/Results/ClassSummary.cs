using HdrHistogram;

namespace BenchPlatform.LoadTests.Results;

/// <summary>Latency of one class of request: corrected (from intended start) and uncorrected (from actual send).</summary>
public sealed class ClassSummary
{
    public required LatencyStats Corrected { get; init; }

    public required LatencyStats Uncorrected { get; init; }

    /// <summary>The corrected histogram (microseconds), for charts; not written to JSON.</summary>
    public HistogramBase? Histogram { get; init; }

    /// <summary>The uncorrected histogram (microseconds), for charts; not written to JSON.</summary>
    public HistogramBase? UncorrectedHistogram { get; init; }
}
