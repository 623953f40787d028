using System.Runtime.CompilerServices;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Thresholds;

namespace BenchPlatform.LoadTests;

/// <summary>
/// A condition on a run's stats that fails it: a predicate (<see cref="Create(Func{ScenarioStats, bool}, string)"/>,
/// NBomber's form) or an expression such as <c>warm.p99&lt;20ms</c> (<see cref="Parse"/>, the CLI's form).
/// </summary>
public sealed class Threshold
{
    private Threshold(string text, ThresholdExpression? expression, Func<ScenarioStats, bool>? scenarioCheck, string? stepName, Func<StepStats, bool>? stepCheck)
    {
        Text = text;
        Expression = expression;
        ScenarioCheck = scenarioCheck;
        StepName = stepName;
        StepCheck = stepCheck;
    }

    /// <summary>What the report prints: the expression, or the predicate's source text.</summary>
    public string Text { get; }

    /// <summary>The parsed expression, for thresholds made by <see cref="Parse"/>.</summary>
    public ThresholdExpression? Expression { get; }

    /// <summary>The step a step threshold reads, else null.</summary>
    public string? StepName { get; }

    internal Func<ScenarioStats, bool>? ScenarioCheck { get; }

    internal Func<StepStats, bool>? StepCheck { get; }

    /// <summary>A predicate on a scenario's stats, e.g. <c>stats =&gt; stats.Fail.Request.Percent &lt; 1</c>; false fails the run.</summary>
    public static Threshold Create(Func<ScenarioStats, bool> check, [CallerArgumentExpression(nameof(check))] string text = "")
    {
        ArgumentNullException.ThrowIfNull(check);
        return new Threshold(text, null, check, null, null);
    }

    /// <summary>A predicate on one step's stats, e.g. <c>Threshold.Create("infer", step =&gt; step.Ok.Latency.P99 &lt; 50)</c>.</summary>
    public static Threshold Create(string stepName, Func<StepStats, bool> check, [CallerArgumentExpression(nameof(check))] string text = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stepName);
        ArgumentNullException.ThrowIfNull(check);
        return new Threshold($"{stepName}: {text}", null, null, stepName, check);
    }

    /// <summary>
    /// An expression <c>[scenario[/step]:]class.metric OP value[unit]</c> (<c>warm.p99&lt;20ms</c>, <c>all.error_rate&lt;1%</c>);
    /// one that does not parse throws <see cref="UsageException"/> naming the part to change.
    /// </summary>
    public static Threshold Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var parsed = ThresholdExpression.Parse(expression);
        return new Threshold(parsed.Text, parsed, null, null, null);
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
