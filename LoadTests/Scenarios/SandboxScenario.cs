using System.Globalization;
using BenchPlatform.LoadTests.Cli;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>Code blocks: a burst wider than the warm pool (cold jails), then a fixed rate (warm), at a few code costs.</summary>
internal static class SandboxScenario
{
    public static async Task RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var url = context.Api.Url("/v1/blocks/run");
        var burst = context.Concurrency(8);
        var rate = context.Rate(10);
        var duration = context.Duration(TimeSpan.FromSeconds(10));
        var warmup = context.Warmup(TimeSpan.FromSeconds(1));
        var cheap = new BlockSource(url, BlockSource.LoopCode, 1000, context.Options.ApiKey);
        var records = await context.BurstAsync($"sandbox/burst {burst}", cheap, burst, cancellationToken).ConfigureAwait(false);
        context.Add("sandbox", $"burst {burst}", records, new() { ["burst"] = burst.ToString(CultureInfo.InvariantCulture), ["n"] = "1000" });
        foreach (var loop in new[] { 1_000, 100_000, 1_000_000 })
        {
            var source = new BlockSource(url, BlockSource.LoopCode, loop, context.Options.ApiKey);
            await context.OpenAsync("sandbox", $"n={loop} @{Units.Num(rate)}/s", source, rate, duration, warmup, new() { ["n"] = loop.ToString(CultureInfo.InvariantCulture) }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
