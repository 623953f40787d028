using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Results;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>Raises the open-model rate ×1.5 per step until p99 passes the bound, errors pass 1% or requests drop.</summary>
internal static class ThroughputScenario
{
    public static async Task RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var model = (await context.OnnxModelsAsync(cancellationToken).ConfigureAwait(false))[0];
        await context.Api.WarmupModelAsync(model, cancellationToken).ConfigureAwait(false);
        var source = await context.InferSourceAsync(model, 1, cancellationToken).ConfigureAwait(false);
        await SearchAsync(context, source, $"{model} ", new() { ["model"] = model }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The search itself, shared with the generator benchmark; returns the highest rate that held (0 if none).</summary>
    public static async Task<double> SearchAsync(ScenarioContext context, Engine.IRequestSource source, string labelPrefix, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var bound = context.Options.P99Bound.TotalMilliseconds;
        var duration = context.Duration(TimeSpan.FromSeconds(10));
        var warmup = context.Warmup(TimeSpan.FromSeconds(1));
        var best = 0.0;
        RunSummary? last = null;
        for (var rate = context.Rate(50); rate <= context.Options.MaxRate && !cancellationToken.IsCancellationRequested; rate *= 1.5)
        {
            var summary = await context.OpenAsync("throughput", $"{labelPrefix}@{Units.Num(rate, "0")}/s", source, rate, duration, warmup, new(parameters), cancellationToken: cancellationToken).ConfigureAwait(false);
            last = summary;
            var p99 = summary.Classes.TryGetValue("all", out var all) ? all.Corrected.P99 : double.MaxValue;
            var held = p99 <= bound && summary.ErrorRate <= 0.01 && summary.Dropped == 0 && summary.AchievedRate >= rate * 0.95;
            summary.Metrics["held"] = held ? 1 : 0;
            if (!held)
            {
                break;
            }

            best = rate;
        }

        if (last is not null)
        {
            last.Metrics["max_sustained_rate"] = best;
        }

        context.Progress.Info($"throughput: highest rate with p99 ≤ {Units.Ms(bound)} ms, errors ≤ 1% and nothing dropped: {Units.Num(best, "0.#")} req/s");
        return best;
    }
}
