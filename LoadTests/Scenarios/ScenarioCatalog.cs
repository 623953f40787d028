namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>The scenarios the CLI knows, with the line <c>--help</c> prints for each, and how to run them.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<(string Name, string Help)> All { get; } =
    [
        ("warm", "Latency at a fixed arrival rate (--rate, default 50/s) on a loaded model, per class."),
        ("cold_start", "PUT /v1/scale/inference min=0 → wait until GET /v1/scale shows 0 ready → one request, --iterations times (default 3); then a burst of --concurrency from zero. Restores the bounds."),
        ("complexity", "warm at increasing cost: each --model in turn, or one model at input sizes ×1, ×4, ×16."),
        ("concurrency", "Closed model sweep 1, 2, 4 … --concurrency (default 16) clients."),
        ("throughput", "Raises the rate ×1.5 from --rate until p99 exceeds --p99-bound (or errors/drops); reports the highest rate that held."),
        ("batch", "Closed model at batch sizes --batch-sizes (default 1,10,100,1000): latency and items/s."),
        ("tokens", "LLM: --iterations (default 256) streamed /v1/completions: tokens/s, time to first token, time per output token."),
        ("strategies", "LLM: baseline, reread, diverse_sampling, best_of_n: latency, tokens, tokens/s, success."),
        ("sandbox", "Code blocks (/v1/blocks/run): a burst (cold jails) then a fixed rate (warm), classed by the result's start."),
        ("modes", "Each --model-file in-process (ONNX Runtime here) vs through the gateway: overhead factor per complexity level."),
        ("http", "Any endpoint: --path, --method, --body-file at --rate (open) or --concurrency (closed). Generator checks and smoke tests."),
        ("overload", "Measures a model's capacity (goodput of a closed model of --concurrency clients, default 4), then offers 0.5x, 1x, 2x, 5x and 10x of it (open, --duration each): goodput, refusals and their p99, timeouts, admitted p99; then time to nothing in flight and to replicas at min."),
        ("soak", "A steady mixed load (uncached and cached infers at --rate, generation at a tenth, code blocks at a quarter) for --duration (default 10m); with --rss-root PID the growth of every process's RSS after --warmup (default 20s)."),
        ("all", "warm, cold_start, complexity, concurrency, throughput, batch, sandbox, modes (with --model-file), tokens and strategies (with an LLM)."),
    ];

    public static IReadOnlySet<string> Names { get; } = All.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>Runs one scenario (or the suite) into the context's results.</summary>
    public static async Task RunAsync(string name, ScenarioContext context, CancellationToken cancellationToken)
    {
        switch (name)
        {
            case "warm": await WarmScenario.RunAsync(context, cancellationToken).ConfigureAwait(false); break;
            case "cold_start": await ColdStartScenario.RunAsync(context, cancellationToken).ConfigureAwait(false); break;
            case "complexity": await ComplexityScenario.RunAsync(context, cancellationToken).ConfigureAwait(false); break;
            case "concurrency": await ConcurrencyScenario.RunAsync(context, cancellationToken).ConfigureAwait(false); break;
            case "throughput": await ThroughputScenario.RunAsync(context, cancellationToken).ConfigureAwait(false); break;
            case "batch": await BatchScenario.RunAsync(context, cancellationToken).ConfigureAwait(false); break;
            case "tokens": await TokensScenario.RunAsync(context, cancellationToken).ConfigureAwait(false); break;
            case "strategies": await StrategiesScenario.RunAsync(context, cancellationToken).ConfigureAwait(false); break;
            case "sandbox": await SandboxScenario.RunAsync(context, cancellationToken).ConfigureAwait(false); break;
            case "modes": await ModesScenario.RunAsync(context, cancellationToken).ConfigureAwait(false); break;
            case "http": await HttpScenario.RunAsync(context, cancellationToken).ConfigureAwait(false); break;
            case "overload": await OverloadScenario.RunAsync(context, cancellationToken).ConfigureAwait(false); break;
            case "soak": await SoakScenario.RunAsync(context, cancellationToken).ConfigureAwait(false); break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, "unknown scenario");
        }
    }
}
