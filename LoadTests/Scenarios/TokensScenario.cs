using System.Globalization;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>LLM generation: N streamed completions from C clients; tokens/s, TTFT and time per output token.</summary>
internal static class TokensScenario
{
    public static async Task RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var model = await context.LlmAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new Cli.ScenarioFailedException("tokens: no text-generation model; give --model NAME (the target lists no llm model).");
        var options = context.Options;
        var sequences = options.Iterations ?? 256;
        var clients = context.Concurrency(8);
        var source = new CompletionSource(context.Api.Url("/v1/completions"), model, options.Prompt, options.MaxTokens, stream: true, strategy: null, n: 1, options.ApiKey);
        await context.ClosedAsync("tokens", $"{model} {sequences} sequences c={clients}", source, clients, sequences, TimeSpan.Zero, context.Warmup(TimeSpan.Zero),
            new() { ["model"] = model, ["max_tokens"] = options.MaxTokens.ToString(CultureInfo.InvariantCulture) },
            TokenMetrics.From, cancellationToken).ConfigureAwait(false);
    }
}
