namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>Closed-model sweep over 1, 2, 4 … N concurrent clients.</summary>
internal static class ConcurrencyScenario
{
    public static async Task RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var model = (await context.OnnxModelsAsync(cancellationToken).ConfigureAwait(false))[0];
        await context.Api.WarmupModelAsync(model, cancellationToken).ConfigureAwait(false);
        var source = await context.InferSourceAsync(model, 1, cancellationToken).ConfigureAwait(false);
        var top = context.Concurrency(16);
        var duration = context.Duration(TimeSpan.FromSeconds(10));
        var warmup = context.Warmup(TimeSpan.FromSeconds(1));
        for (var clients = 1; ; clients = Math.Min(clients * 2, top))
        {
            await context.ClosedAsync("concurrency", $"{model} c={clients}", source, clients, null, duration, warmup, new() { ["model"] = model }, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (clients == top)
            {
                break;
            }
        }
    }
}
