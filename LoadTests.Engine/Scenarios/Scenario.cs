namespace BenchPlatform.LoadTests;

/// <summary>Creates scenarios: one iteration is <c>run</c>, called under the scenario's load simulations.</summary>
public static class Scenario
{
    /// <summary>
    /// A scenario named <paramref name="name"/> whose iteration is <paramref name="run"/>, e.g.
    /// <c>Scenario.Create("infer", async ctx =&gt; await Http.Send(ctx, request))</c>. An exception it throws is a
    /// failed iteration with the exception's message, never a crash of the run.
    /// </summary>
    public static ScenarioProps Create(string name, Func<IScenarioContext, Task<Response>> run)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A scenario needs a name: Scenario.Create(\"infer\", ...).", nameof(name));
        }

        ArgumentNullException.ThrowIfNull(run);
        return new ScenarioProps(name, context => new ValueTask<Response>(run(context)));
    }

    /// <summary>A scenario whose iteration returns a <see cref="ValueTask{Response}"/> (no task allocated when it completes at once).</summary>
    internal static ScenarioProps CreateValue(string name, Func<IScenarioContext, ValueTask<Response>> run) => new(name, run);
}
