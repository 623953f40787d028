using BenchPlatform.LoadTests.Results;

namespace BenchPlatform.LoadTests;

/// <summary>One step's results: successes and failures with their latency, and the full summary (classes, server phases).</summary>
public sealed class StepStats
{
    internal StepStats(string stepName, RunSummary summary)
    {
        StepName = stepName;
        Summary = summary;
        (Ok, Fail) = MeasurementStats.From(summary);
    }

    /// <summary>The step's name.</summary>
    public string StepName { get; }

    /// <summary>Successful runs of the step.</summary>
    public MeasurementStats Ok { get; }

    /// <summary>Failed runs of the step.</summary>
    public MeasurementStats Fail { get; }

    /// <summary>Everything measured: per class (warm, cold, cache_hit, error) corrected and uncorrected, server phases.</summary>
    public RunSummary Summary { get; }
}
