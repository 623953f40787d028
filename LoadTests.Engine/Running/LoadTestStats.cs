using BenchPlatform.LoadTests.Thresholds;

namespace BenchPlatform.LoadTests;

/// <summary>What <see cref="LoadTestRunner.RunAsync"/> returns: every scenario's stats, every threshold's result, the reports written.</summary>
public sealed class LoadTestStats
{
    internal LoadTestStats(IReadOnlyList<ScenarioStats> scenarios, IReadOnlyList<ThresholdResult> thresholds, IReadOnlyList<string> failures, string? reportFolder, TimeSpan duration)
    {
        Scenarios = scenarios;
        Thresholds = thresholds;
        Failures = failures;
        ReportFolder = reportFolder;
        Duration = duration;
    }

    /// <summary>Each scenario that ran.</summary>
    public IReadOnlyList<ScenarioStats> Scenarios { get; }

    /// <summary>Each threshold with the value it read and whether it held.</summary>
    public IReadOnlyList<ThresholdResult> Thresholds { get; }

    /// <summary>Scenarios whose init failed, and why.</summary>
    public IReadOnlyList<string> Failures { get; }

    /// <summary>The folder the reports went to, or null.</summary>
    public string? ReportFolder { get; }

    /// <summary>Wall time of the whole run.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Whether every threshold held and every scenario could run.</summary>
    public bool Passed => Failures.Count == 0 && Thresholds.All(t => t.Passed);

    /// <summary>The scenario named <paramref name="scenarioName"/>.</summary>
    public ScenarioStats GetScenarioStats(string scenarioName) =>
        Scenarios.FirstOrDefault(s => s.ScenarioName == scenarioName)
        ?? throw new KeyNotFoundException($"No scenario '{scenarioName}' ran; the scenarios: {string.Join(", ", Scenarios.Select(s => s.ScenarioName))}.");

    /// <summary>One line per failed threshold and failure, for an assertion message.</summary>
    public string Describe() => string.Join('\n', Thresholds.Select(t => "threshold " + t.Message).Concat(Failures));
}
