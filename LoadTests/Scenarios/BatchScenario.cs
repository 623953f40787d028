using System.Globalization;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>Closed model at batch sizes 1/10/100/1000: latency per request and items per second.</summary>
internal static class BatchScenario
{
    public static async Task RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var model = (await context.OnnxModelsAsync(cancellationToken).ConfigureAwait(false))[0];
        await context.Api.WarmupModelAsync(model, cancellationToken).ConfigureAwait(false);
        var sizes = context.Options.BatchSizes.Count > 0 ? context.Options.BatchSizes : [1, 10, 100, 1000];
        var clients = context.Concurrency(1);
        var duration = context.Duration(TimeSpan.FromSeconds(10));
        var warmup = context.Warmup(TimeSpan.FromSeconds(1));
        foreach (var size in sizes)
        {
            var source = await context.InferSourceAsync(model, size, cancellationToken).ConfigureAwait(false);
            var batch = size;
            await context.ClosedAsync("batch", $"{model} batch={size}", source, clients, null, duration, warmup,
                new() { ["model"] = model, ["batch"] = size.ToString(CultureInfo.InvariantCulture) },
                records =>
                {
                    long ok = 0;
                    foreach (var record in records.Records)
                    {
                        if (!record.Warmup && record.Outcome == Engine.RequestOutcome.Ok)
                        {
                            ok++;
                        }
                    }

                    return new() { ["items_per_s"] = ok * batch / records.MeasuredSeconds };
                },
                cancellationToken).ConfigureAwait(false);
        }
    }
}
