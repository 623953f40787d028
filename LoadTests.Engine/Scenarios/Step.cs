using System.Runtime.CompilerServices;
using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.LoadTests;

/// <summary>
/// A named part of an iteration, timed and reported on its own (<c>upload</c>, <c>infer</c>, <c>delete</c>). A step that
/// returns <see cref="Response.Fail"/> or throws ends its iteration as failed; the steps after it do not run.
/// </summary>
public static class Step
{
    /// <summary>Runs <paramref name="run"/> as the step <paramref name="name"/> of this iteration (each name once per iteration).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<Response> Run(string name, IScenarioContext context, Func<Task<Response>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var iteration = context as IterationContext
            ?? throw new ArgumentException("Step.Run needs the context the runner passed to the scenario (ctx in Scenario.Create(name, async ctx => ...)).", nameof(context));
        var step = iteration.BeginStep(name);
        Response response;
        try
        {
            response = await run().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (iteration.TimedOut)
        {
            iteration.EndStep(step, RequestOutcome.Timeout, 0);
            throw;
        }
        catch (Exception ex) when (ex is not ScenarioDefinitionException)
        {
            iteration.EndStep(step, RequestOutcome.Failed, 0);
            throw;
        }

        iteration.EndStep(step, response.Outcome, response.StatusCode);
        return response.IsError ? throw new StepFailedException(name, response) : response;
    }
}
