using BenchPlatform.LoadTests.Results;

namespace BenchPlatform.LoadTests;

/// <summary>
/// One scenario's results (NBomber's <c>ScenarioStats</c>): its iterations' successes and failures, what the target did
/// (completions, goodput, refusals) beside what the generator could not send, each step, and the full summary.
/// </summary>
public sealed class ScenarioStats
{
    internal ScenarioStats(string scenarioName, RunSummary summary, IReadOnlyList<StepStats> steps)
    {
        ScenarioName = scenarioName;
        Summary = summary;
        Steps = steps;
        (Ok, Fail) = MeasurementStats.From(summary);
    }

    /// <summary>The scenario's name.</summary>
    public string ScenarioName { get; }

    /// <summary>Successful iterations.</summary>
    public MeasurementStats Ok { get; }

    /// <summary>Failed iterations (non-2xx, timeouts, exceptions, failed steps).</summary>
    public MeasurementStats Fail { get; }

    /// <summary>Iterations that ended in the measured window, per second (what the target completed).</summary>
    public double CompletedPerSecond => Summary.CompletedRate;

    /// <summary>Successful iterations that ended in the measured window, per second.</summary>
    public double Goodput => Summary.Goodput;

    /// <summary>Iterations the target refused (429 or 503) in the measured window.</summary>
    public long Refused => Summary.Refused;

    /// <summary>Iterations the open model was due to start but could not (every slot busy until the end).</summary>
    public long NotSent => Summary.Dropped;

    /// <summary>Per class (<c>all</c>, <c>warm</c>, <c>cold</c>, <c>cache_hit</c>, <c>error</c>): corrected and uncorrected latency.</summary>
    public IReadOnlyDictionary<string, ClassSummary> Classes => Summary.Classes;

    /// <summary>Failed iterations by message, most frequent first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> FailureMessages => Summary.FailureMessages;

    /// <summary>The steps, in the order they first ran.</summary>
    public IReadOnlyList<StepStats> Steps { get; }

    /// <summary>Everything measured: classes, server phases, lag, counts.</summary>
    public RunSummary Summary { get; }

    /// <summary>The step named <paramref name="stepName"/>; throws naming the steps there are when none has that name.</summary>
    public StepStats GetStepStats(string stepName)
    {
        foreach (var step in Steps)
        {
            if (step.StepName == stepName)
            {
                return step;
            }
        }

        throw new KeyNotFoundException($"Scenario '{ScenarioName}' has no step '{stepName}'; its steps: {(Steps.Count == 0 ? "none" : string.Join(", ", Steps.Select(s => s.StepName)))}.");
    }
}
