using System.Diagnostics;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>
/// A model's capacity, measured (the goodput of a closed model of --concurrency clients, default 4, for --duration: enough
/// to keep a replica's runner busy; clients that re-send a refused request at once would measure the refusals instead),
/// then offered at
/// 0.5×, 1×, 2×, 5× and 10× of it (open model, --duration each, default 10 s): what the stack served (goodput against
/// capacity), what it refused and how fast, what timed out, and the admitted requests' latency. After the load: how
/// long until the gateway had nothing in flight, and until the replicas were back at min.
/// </summary>
internal static class OverloadScenario
{
    private static readonly double[] Factors = [0.5, 1, 2, 5, 10];

    public static async Task RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var model = (await context.OnnxModelsAsync(cancellationToken).ConfigureAwait(false))[0];
        await context.Api.WarmupModelAsync(model, cancellationToken).ConfigureAwait(false);
        var source = await context.InferSourceAsync(model, 1, cancellationToken).ConfigureAwait(false);
        var duration = context.Duration(TimeSpan.FromSeconds(10));
        var measured = await context.ClosedAsync("overload", $"{model} capacity", source, context.Concurrency(4), null, duration,
            context.Warmup(TimeSpan.FromSeconds(5)), new() { ["model"] = model }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var capacity = measured.Goodput;
        if (capacity <= 0)
        {
            throw new ScenarioFailedException($"overload: '{model}' served nothing while its capacity was measured; check the target.");
        }

        context.Progress.Info($"overload: capacity of {model} is {Units.Num(capacity, "0.#")} req/s");
        foreach (var factor in Factors)
        {
            await UntilIdleAsync(context, cancellationToken).ConfigureAwait(false);
            var parameters = new Dictionary<string, string> { ["model"] = model, ["factor"] = Units.Num(factor) };
            var summary = await context.OpenAsync("overload", $"{model} {Units.Num(factor)}x", source, factor * capacity, duration, TimeSpan.Zero,
                parameters, RefusalMetrics, cancellationToken).ConfigureAwait(false);
            summary.Metrics["capacity"] = capacity;
            summary.Metrics["goodput_pct_of_capacity"] = summary.Goodput / capacity * 100;
            summary.Metrics["admitted_p99_ms"] = summary.OkLatency.P99;
        }

        var after = Stopwatch.StartNew();
        var idleMs = await UntilIdleAsync(context, cancellationToken).ConfigureAwait(false);
        var atMin = await UntilAtMinAsync(context, cancellationToken).ConfigureAwait(false);
        var last = context.Results[^1];
        last.Metrics["inflight_zero_after_ms"] = idleMs;
        last.Metrics["replicas_at_min_after_s"] = atMin;
        context.Progress.Info($"overload: after the load, nothing in flight within {Units.Num(idleMs, "0")} ms; replicas back at min after " +
            (double.IsNaN(atMin) ? $"more than {Units.Num(after.Elapsed.TotalSeconds, "0")} s (not seen)" : $"{Units.Num(atMin, "0.#")} s"));
    }

    /// <summary>How fast refusals (503, 429) came back: the generator's own send-to-end time, p50 and p99.</summary>
    private static Dictionary<string, double> RefusalMetrics(RunRecords run)
    {
        var refusals = new List<double>();
        foreach (ref readonly var record in run.Records)
        {
            if (!record.Warmup && record.Status is 503 or 429)
            {
                refusals.Add((record.EndTicks - record.SentTicks) * 1000.0 / run.Frequency);
            }
        }

        refusals.Sort();
        return new Dictionary<string, double>
        {
            ["refusal_p50_ms"] = refusals.Count == 0 ? double.NaN : refusals[refusals.Count / 2],
            ["refusal_p99_ms"] = refusals.Count == 0 ? double.NaN : refusals[Math.Min(refusals.Count - 1, (int)(refusals.Count * 0.99))],
        };
    }

    /// <summary>Waits (up to 30 s) until the gateway has nothing in flight for inference; returns how long that took, in ms.</summary>
    private static async Task<double> UntilIdleAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while ((await context.Api.GetScaleAsync(cancellationToken).ConfigureAwait(false)).InFlight > 0)
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new ScenarioFailedException("overload: the gateway still had inference requests in flight 30 s after the load stopped.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), context.Time, cancellationToken).ConfigureAwait(false);
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>Waits (up to 5 minutes) until the inference replicas are back at min; seconds, or NaN when they were not.</summary>
    private static async Task<double> UntilAtMinAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromMinutes(5))
        {
            var scale = await context.Api.GetScaleAsync(cancellationToken).ConfigureAwait(false);
            if (scale.Desired <= scale.Min && scale.Ready <= Math.Max(scale.Min, 1))
            {
                return watch.Elapsed.TotalSeconds;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), context.Time, cancellationToken).ConfigureAwait(false);
        }

        return double.NaN;
    }
}
