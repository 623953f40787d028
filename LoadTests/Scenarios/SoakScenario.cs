using System.Globalization;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>
/// A steady mixed load for a long time: uncached infers at <c>--rate</c>, cached infers at the same rate, text
/// generation at a tenth of it and code blocks at a quarter, all at once (open model each). With <c>--rss-root PID</c>
/// the resident memory of that process tree is sampled every second and its growth after warm-up is reported as the
/// <c>memory</c> step's metrics (<c>rss_growth_pct</c>, the largest of any process).
/// </summary>
internal static class SoakScenario
{
    public static async Task RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var rate = context.Rate(20);
        var duration = context.Duration(TimeSpan.FromMinutes(10));
        var warmup = context.Warmup(TimeSpan.FromSeconds(20));
        var model = (await context.OnnxModelsAsync(cancellationToken).ConfigureAwait(false))[0];
        await context.Api.WarmupModelAsync(model, cancellationToken).ConfigureAwait(false);
        var inputs = await context.Api.GetInputsAsync(model, cancellationToken).ConfigureAwait(false);
        var inferUri = context.Api.Url($"/v2/models/{Uri.EscapeDataString(model)}/infer");
        var kinds = new List<(string Label, IRequestSource Source, double Rate)>
        {
            ($"infer {model}", new BodyRequestSource(HttpMethod.Post, inferUri, InferBody.Build(inputs, 1, options.InputSize, options.IntFill, useCache: false), "application/json", options.ApiKey), rate),
            ($"cached infer {model}", new BodyRequestSource(HttpMethod.Post, inferUri, InferBody.Build(inputs, 1, options.InputSize, options.IntFill, useCache: true), "application/json", options.ApiKey), rate),
            ("block", new BlockSource(context.Api.Url("/v1/blocks/run"), BlockSource.LoopCode, 1000, options.ApiKey), Math.Max(1, rate / 4)),
        };
        if (await context.FirstListedAsync("llm", cancellationToken).ConfigureAwait(false) is { } llm)
        {
            kinds.Add(($"generate {llm}", new CompletionSource(context.Api.Url("/v1/completions"), llm, options.Prompt, Math.Min(options.MaxTokens, 16), stream: false, strategy: null, n: 1, options.ApiKey), Math.Max(1, rate / 10)));
        }

        context.Progress.Info($"soak: {string.Join(", ", kinds.Select(k => $"{k.Label} @{Units.Num(k.Rate)}/s"))} for {Units.Num(duration.TotalSeconds)} s after {Units.Num(warmup.TotalSeconds)} s of warm-up" +
            (options.RssRoot is { } root ? $"; sampling the RSS of process {root} and its descendants" : ""));
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = options.RssRoot is { } pid ? new RssSampler(pid) : null;
        var start = context.Time.GetTimestamp();
        var sampled = sampler?.RunAsync(context.Time, start, sampling.Token) ?? Task.CompletedTask;
        // One scenario per kind, all at once: Simulation.Inject at its rate after the same warm-up.
        var runs = kinds.Select(k => context.Engine.RunRecordsAsync(
            ScenarioContext.Requests(k.Label, k.Source)
                .WithLoadSimulations(Simulation.Inject(k.Rate, TimeSpan.FromSeconds(1), duration))
                .WithWarmUpDuration(warmup)
                .WithMaxInFlight(options.Connections)
                .WithLateAfter(options.LateAfter),
            cancellationToken)).ToList();
        var records = await Task.WhenAll(runs).ConfigureAwait(false);
        await sampling.CancelAsync().ConfigureAwait(false);
        await sampled.ConfigureAwait(false);

        for (var i = 0; i < kinds.Count; i++)
        {
            context.Add("soak", kinds[i].Label, records[i], new() { ["rate"] = Units.Num(kinds[i].Rate) });
        }

        if (sampler is not null)
        {
            var metrics = new Dictionary<string, double>();
            var growth = sampler.Growth(warmup.TotalSeconds, (warmup + duration).TotalSeconds);
            foreach (var (name, startMb, endMb, percent) in growth)
            {
                metrics[$"rss_start_mb {name}"] = Math.Round(startMb, 1);
                metrics[$"rss_end_mb {name}"] = Math.Round(endMb, 1);
                metrics[$"rss_growth_pct {name}"] = Math.Round(percent, 2);
            }

            metrics["rss_growth_pct"] = growth.Count == 0 ? double.NaN : Math.Round(growth.Max(g => g.GrowthPercent), 2);
            context.Add("soak", "memory", Empty(context), new() { ["rss_root"] = options.RssRoot!.Value.ToString(CultureInfo.InvariantCulture) }, metrics);
        }
    }

    private static RunRecords Empty(ScenarioContext context) => new()
    {
        Records = RecordList.Empty,
        StartedAt = context.Time.GetUtcNow(),
        Frequency = context.Time.TimestampFrequency,
        Model = "open",
        WarmupSeconds = 0,
        MeasuredSeconds = 0,
        Dropped = 0,
        Late = 0,
        TargetRate = 0,
        Concurrency = 0,
    };
}
