using BenchPlatform.LoadTests.Results;
using BenchPlatform.LoadTests.Thresholds;

namespace BenchPlatform.LoadTests.Reports;

/// <summary>Everything one invocation measured: its steps and its thresholds.</summary>
public sealed class RunReport
{
    public required string Scenario { get; init; }

    public required string Target { get; init; }

    public required IReadOnlyList<string> Arguments { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset FinishedAt { get; init; }

    public required IReadOnlyList<RunSummary> Runs { get; init; }

    public required IReadOnlyList<ThresholdResult> Thresholds { get; init; }

    /// <summary>The threshold checks made while the run went, or null when thresholds were only checked at the end.</summary>
    public LiveCheckSummary? LiveChecks { get; init; }

    /// <summary>Scenarios that could not run, with the reason (the target refused a setup call…).</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];
}
