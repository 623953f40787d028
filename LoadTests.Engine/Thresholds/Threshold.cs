using System.Runtime.CompilerServices;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Thresholds;

namespace BenchPlatform.LoadTests;

/// <summary>
/// A condition on a run's stats that fails it: a predicate (<see cref="Create(Func{ScenarioStats, bool}, int?, TimeSpan?, string)"/>,
/// NBomber's form) or an expression such as <c>warm.p99&lt;20ms</c> (<see cref="Parse"/>, the CLI's form).
/// The runner checks every threshold at each reporting interval while the run goes, on the stats so far, and once more
/// at the end; the end's check decides whether it held. With <c>abortWhenErrorCount</c>, that many failed checks stop the
/// run early (NBomber's option), and the threshold fails saying so.
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

    /// <summary>After this many failed checks while the run goes, the run is stopped and the threshold fails; null: never.</summary>
    public int? AbortWhenErrorCount { get; private init; }

    /// <summary>Checks while the run goes start this long after the scenario started (not before there is data to judge).</summary>
    public TimeSpan StartCheckAfter { get; private init; }

    internal Func<ScenarioStats, bool>? ScenarioCheck { get; }

    internal Func<StepStats, bool>? StepCheck { get; }

    /// <summary>A predicate on a scenario's stats, e.g. <c>stats =&gt; stats.Fail.Request.Percent &lt; 1</c>; false fails the run.</summary>
    /// <param name="check">The condition; false fails the threshold.</param>
    /// <param name="abortWhenErrorCount">Stop the run after this many failed checks while it goes (e.g. 1 for an error budget).</param>
    /// <param name="startCheckAfter">Do not check while the run goes before this much of it has passed.</param>
    /// <param name="text">The condition's source text (filled in by the compiler).</param>
    public static Threshold Create(Func<ScenarioStats, bool> check, int? abortWhenErrorCount = null, TimeSpan? startCheckAfter = null, [CallerArgumentExpression(nameof(check))] string text = "")
    {
        ArgumentNullException.ThrowIfNull(check);
        return new Threshold(text, null, check, null, null).WithChecks(abortWhenErrorCount, startCheckAfter);
    }

    /// <summary>A predicate on one step's stats, e.g. <c>Threshold.Create("infer", step =&gt; step.Ok.Latency.P99 &lt; 50)</c>.</summary>
    public static Threshold Create(string stepName, Func<StepStats, bool> check, int? abortWhenErrorCount = null, TimeSpan? startCheckAfter = null, [CallerArgumentExpression(nameof(check))] string text = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stepName);
        ArgumentNullException.ThrowIfNull(check);
        return new Threshold($"{stepName}: {text}", null, null, stepName, check).WithChecks(abortWhenErrorCount, startCheckAfter);
    }

    /// <summary>
    /// An expression <c>[scenario[/step]:]class.metric OP value[unit]</c> (<c>warm.p99&lt;20ms</c>, <c>all.error_rate&lt;1%</c>);
    /// one that does not parse throws <see cref="UsageException"/> naming the part to change.
    /// </summary>
    public static Threshold Parse(string expression, int? abortWhenErrorCount = null, TimeSpan? startCheckAfter = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var parsed = ThresholdExpression.Parse(expression);
        return new Threshold(parsed.Text, parsed, null, null, null).WithChecks(abortWhenErrorCount, startCheckAfter);
    }

    /// <summary>This threshold with the checks while the run goes set (also the CLI's <c>--abort-when-error-count</c>, <c>--start-check-after</c>).</summary>
    internal Threshold WithChecks(int? abortWhenErrorCount, TimeSpan? startCheckAfter)
    {
        if (abortWhenErrorCount is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(abortWhenErrorCount), abortWhenErrorCount, $"Threshold '{Text}': abortWhenErrorCount must be 1 or more failed checks (1 stops the run at the first failed check), or null never to stop it.");
        }

        if (startCheckAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(startCheckAfter), startCheckAfter, $"Threshold '{Text}': startCheckAfter must be zero or more (e.g. TimeSpan.FromSeconds(10)).");
        }

        return new Threshold(Text, Expression, ScenarioCheck, StepName, StepCheck)
        {
            AbortWhenErrorCount = abortWhenErrorCount,
            StartCheckAfter = startCheckAfter ?? TimeSpan.Zero,
        };
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
