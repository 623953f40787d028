using System.Globalization;
using BenchPlatform.Protocol.OpenAi;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>The generation strategies side by side: latency, tokens, tokens/s and success of each.</summary>
internal static class StrategiesScenario
{
    // Every strategy of the contract; the ones that choose among samples draw 4.
    private static readonly CompletionStrategy[] Strategies = Enum.GetValues<CompletionStrategy>();

    public static async Task RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var model = await context.LlmAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new Cli.ScenarioFailedException("strategies: no text-generation model; give --model NAME (the target lists no llm model).");
        var options = context.Options;
        var requests = options.Iterations ?? 16;
        var clients = context.Concurrency(4);
        foreach (var strategy in Strategies)
        {
            var (name, n) = (strategy.WireName(), strategy.Chooses() ? 4 : 1);
            var source = new CompletionSource(context.Api.Url("/v1/completions"), model, options.Prompt, options.MaxTokens, stream: false, strategy, n, options.ApiKey);
            await context.ClosedAsync("strategies", $"{name}", source, clients, requests, TimeSpan.Zero, TimeSpan.Zero,
                new() { ["model"] = model, ["strategy"] = name, ["n"] = n.ToString(CultureInfo.InvariantCulture) },
                TokenMetrics.From, cancellationToken).ConfigureAwait(false);
        }
    }
}
