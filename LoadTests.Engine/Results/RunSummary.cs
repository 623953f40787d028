using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.LoadTests.Results;

/// <summary>The results of one measured step of a scenario (one rate, one concurrency level, one model…).</summary>
public sealed class RunSummary
{
    public required string Scenario { get; init; }

    public required string Label { get; init; }

    public required string Model { get; init; }

    public Dictionary<string, string> Parameters { get; init; } = [];

    public double TargetRate { get; init; }

    public double AchievedRate { get; init; }

    public double MeasuredSeconds { get; init; }

    public int Concurrency { get; init; }

    public long Sent { get; init; }

    public long Ok { get; init; }

    public long HttpErrors { get; init; }

    public long Timeouts { get; init; }

    public long Failed { get; init; }

    /// <summary>Measured iterations the load simulations asked for; <c>Sent + Dropped == Due</c>.</summary>
    public long Due { get; init; }

    public long Dropped { get; init; }

    public long Late { get; init; }

    /// <summary>
    /// Requests the target answered during the measured window (by completion time, warm-up ones included), per second:
    /// what the server did, even when the generator fell so far behind that nothing it sent counts as measured. When
    /// measured requests were sent after the window's end (late), the window runs until the last of them ended.
    /// </summary>
    public double CompletedRate { get; init; }

    /// <summary>Successful completions per second in the measured window (goodput).</summary>
    public double Goodput { get; init; }

    /// <summary>Completions in the measured window (by completion time; see <see cref="CompletedRate"/>).</summary>
    public long Completed { get; init; }

    /// <summary>Requests refused in the measured window: 429 or 503 (overload, no capacity).</summary>
    public long Refused { get; init; }

    /// <summary>Corrected latency of the measured requests that succeeded (every class but errors).</summary>
    public LatencyStats OkLatency { get; init; } = LatencyStats.Empty;

    /// <summary>Failed iterations by message, most frequent first (scenarios written with the runner).</summary>
    public List<KeyValuePair<string, long>> FailureMessages { get; init; } = [];

    /// <summary>How late the generator sent measured requests (open model).</summary>
    public LatencyStats Lag { get; init; } = LatencyStats.Empty;

    /// <summary>Per class: <c>all</c> (every answered request, errors included), <c>warm</c>, <c>cold</c>, <c>cache_hit</c>, <c>error</c>.</summary>
    public Dictionary<string, ClassSummary> Classes { get; init; } = [];

    /// <summary>Server-side phases from <c>Server-Timing</c> (<c>gateway</c>, <c>queue</c>, <c>cold</c>, <c>infer</c>, <c>load</c>).</summary>
    public Dictionary<string, LatencyStats> Phases { get; init; } = [];

    /// <summary>Scenario-specific figures (tokens per second, overhead factor…).</summary>
    public Dictionary<string, double> Metrics { get; init; } = [];

    /// <summary>Replica counts sampled during the step.</summary>
    public List<ScaleSample> Replicas { get; init; } = [];

    /// <summary>The raw records (CSV and charts); not written to JSON.</summary>
    public RunRecords? Records { get; init; }

    /// <summary>Errors of any kind as a fraction of the measured requests sent.</summary>
    public double ErrorRate => Sent == 0 ? 0 : (HttpErrors + Timeouts + Failed) / (double)Sent;
}
