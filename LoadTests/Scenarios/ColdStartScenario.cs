using System.Globalization;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Engine;
using BenchPlatform.LoadTests.Results;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>
/// True cold starts: scale inference to zero at once (<c>PUT /v1/scale/inference</c> max=0), wait until <c>GET /v1/scale</c>
/// shows no replica, allow replicas again with min=0, send one request (held while a replica starts); repeat; then a
/// burst from zero. The original bounds are restored at the end.
/// </summary>
internal static class ColdStartScenario
{
    public static async Task RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var model = (await context.OnnxModelsAsync(cancellationToken).ConfigureAwait(false))[0];
        var source = await context.InferSourceAsync(model, 1, cancellationToken).ConfigureAwait(false);
        var original = await context.Api.GetScaleAsync(cancellationToken).ConfigureAwait(false);
        var max = Math.Max(1, original.Max);
        var iterations = (int)Math.Min(context.Options.Iterations ?? 3, 1000);
        var burst = context.Concurrency(8);
        try
        {
            var singles = new List<RunRecords>();
            var replicas = new List<ScaleSample>();
            for (var i = 0; i < iterations; i++)
            {
                await ScaleToZeroAsync(context, max, cancellationToken).ConfigureAwait(false);
                singles.Add(await context.BurstAsync($"cold_start/single {i + 1}/{iterations}", source, 1, cancellationToken).ConfigureAwait(false));
                await SampleAsync(context, replicas, singles[0].StartedAt, cancellationToken).ConfigureAwait(false);
            }

            context.Add("cold_start", $"{model} single ×{iterations}", RunRecords.Merge(singles, "cold"), Parameters(model, iterations, 1), replicas: replicas);

            await ScaleToZeroAsync(context, max, cancellationToken).ConfigureAwait(false);
            var records = await context.BurstAsync($"cold_start/burst {burst}", source, burst, cancellationToken).ConfigureAwait(false);
            var burstReplicas = new List<ScaleSample>();
            await SampleAsync(context, burstReplicas, records.StartedAt, cancellationToken).ConfigureAwait(false);
            context.Add("cold_start", $"{model} burst {burst} from zero", records, Parameters(model, 1, burst), replicas: burstReplicas);
        }
        finally
        {
            await context.Api.SetScaleAsync(original.Min, original.Max, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static Dictionary<string, string> Parameters(string model, int iterations, int burst) => new()
    {
        ["model"] = model,
        ["iterations"] = iterations.ToString(CultureInfo.InvariantCulture),
        ["burst"] = burst.ToString(CultureInfo.InvariantCulture),
    };

    private static async Task ScaleToZeroAsync(ScenarioContext context, int max, CancellationToken cancellationToken)
    {
        // max 0 drains and stops every replica at once (no scale-down window to wait out); then max is raised again
        // with min 0, so no replica starts until the next request, which is held while one starts: a true cold start.
        await context.Api.SetScaleAsync(0, 0, cancellationToken).ConfigureAwait(false);
        context.Progress.Info($"cold_start: max=0; waiting for 0 replicas (up to {context.Options.ColdWait.TotalSeconds:0} s)");
        var deadline = context.Time.GetTimestamp() + (long)(context.Options.ColdWait.TotalSeconds * context.Time.TimestampFrequency);
        while (true)
        {
            var scale = await context.Api.GetScaleAsync(cancellationToken).ConfigureAwait(false);
            if (scale.Ready == 0 && scale.Desired == 0)
            {
                break;
            }

            if (context.Time.GetTimestamp() > deadline)
            {
                throw new ScenarioFailedException($"inference still had {scale.Ready} ready replica(s) {context.Options.ColdWait.TotalSeconds:0} s after PUT /v1/scale/inference max=0; is a replica stuck draining?");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), context.Time, cancellationToken).ConfigureAwait(false);
        }

        await context.Api.SetScaleAsync(0, max, cancellationToken).ConfigureAwait(false);
        context.Progress.Info($"cold_start: inference at 0 replicas; min=0 max={max}");
    }

    private static async Task SampleAsync(ScenarioContext context, List<ScaleSample> samples, DateTimeOffset since, CancellationToken cancellationToken)
    {
        try
        {
            var scale = await context.Api.GetScaleAsync(cancellationToken).ConfigureAwait(false);
            samples.Add(new ScaleSample((context.Time.GetUtcNow() - since).TotalSeconds, scale.Ready, scale.Desired, scale.InFlight));
        }
        catch (ScenarioFailedException)
        {
        }
    }
}
