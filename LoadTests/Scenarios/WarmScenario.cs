using BenchPlatform.LoadTests.Cli;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>Latency at a fixed arrival rate on a loaded model.</summary>
internal static class WarmScenario
{
    public static async Task RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var model = (await context.OnnxModelsAsync(cancellationToken).ConfigureAwait(false))[0];
        await context.Api.WarmupModelAsync(model, cancellationToken).ConfigureAwait(false);
        var source = await context.InferSourceAsync(model, 1, cancellationToken).ConfigureAwait(false);
        var rate = context.Rate(50);
        await context.OpenAsync("warm", $"{model} @{Units.Num(rate)}/s", source, rate, context.Duration(TimeSpan.FromSeconds(30)), context.Warmup(TimeSpan.FromSeconds(2)), new() { ["model"] = model }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
