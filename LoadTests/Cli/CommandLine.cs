using System.CommandLine;
using System.CommandLine.Parsing;
using BenchPlatform.LoadTests.Scenarios;
using static BenchPlatform.LoadTests.Cli.OptionValues;

namespace BenchPlatform.LoadTests.Cli;

/// <summary>
/// Parses the command line into <see cref="RunOptions"/>; the mistakes, every one of them, come in one
/// <see cref="UsageException"/>, each message saying what to change.
/// </summary>
/// <remarks>
/// System.CommandLine is the repository's one command-line parser (AppHost's <c>publish</c> uses it too): it is the parser
/// .NET users know, and it gathers every error of a command line instead of stopping at the first. The help text is
/// still ours (<see cref="HelpText"/>), so <c>--help</c>, the messages and the exit codes read as they did before it.
/// </remarks>
public static class CommandLine
{
    /// <summary>Every option, with its value's name and help line; <c>--help</c> prints this table.</summary>
    public static IReadOnlyList<(string Name, string? Value, string Help)> Options { get; } =
    [
        ("--target", "URL", "Gateway (or any HTTP server) base URL, e.g. http://127.0.0.1:8080. Required for every scenario."),
        ("--rate", "R", "Open-model arrival rate, requests/s (warm, complexity, sandbox, http; start rate of throughput). Default 50."),
        ("--ramp-to", "R", "Ramp the arrival rate linearly from --rate to R over --duration (open model), then hold."),
        ("--duration", "TIME", "Measured time per step: 30s, 500ms, 2m. Default 30s (10s per step for sweeps)."),
        ("--warmup", "TIME", "Leading time whose requests are sent but excluded from results. Default 2s (0 for cold_start)."),
        ("--concurrency", "N", "Closed-model clients (concurrency sweeps 1..N; batch, tokens, strategies clients; cold burst size). Default 8."),
        ("--connections", "N", "Open model: most requests outstanding at once (like wrk -c); later ones start late and count as late. Default 512."),
        ("--iterations", "N", "Requests per step where a scenario counts them (cold_start repeats, tokens sequences, strategies). Closed model: fixed count instead of --duration."),
        ("--model", "NAME", "Model to call (repeatable; complexity uses each in order). An LLM for tokens/strategies."),
        ("--model-file", "PATH", "ONNX file to upload as a model named after the file (repeatable); modes needs at least one."),
        ("--input-size", "N", "Size of each dynamic non-batch dimension of generated inputs. Default 512."),
        ("--int-fill", "N", "Value of generated integer inputs (e.g. a sample rate). Default 16000."),
        ("--batch-sizes", "LIST", "Batch sizes for batch, comma-separated. Default 1,10,100,1000."),
        ("--max-tokens", "N", "max_tokens for tokens and strategies. Default 64."),
        ("--prompt", "TEXT", "Prompt for tokens and strategies. Default \"Once upon a time\"."),
        ("--p99-bound", "TIME", "throughput: highest rate whose p99 stays under this. Default 100ms."),
        ("--max-rate", "R", "throughput: stop the search at this rate. Default 100000."),
        ("--path", "PATH", "http scenario: request path (and query). Default /alive."),
        ("--method", "VERB", "http scenario: GET or POST. Default GET."),
        ("--body-file", "PATH", "http scenario: request body file; for inference scenarios, the exact infer request body to send."),
        ("--content-type", "TYPE", "http scenario: body content type. Default application/json."),
        ("--timeout", "TIME", "Per-request timeout; a request past it counts as a timeout. Default 30s."),
        ("--late-after", "TIME", "Open model: a request sent later than this after its intended start counts as late. Default 10ms."),
        ("--rss-root", "PID", "soak: sample the resident memory without shared memory (VmRSS − RssShmem) of this process and its descendants (e.g. the AppHost's PID) every second; growth after warm-up per process."),
        ("--cold-wait", "TIME", "cold_start: how long to wait for the autoscaler to reach 0 replicas (its scale-down window and more). Default 180s."),
        ("--report", "DIR", "Write report.md, report.html, requests.csv and summary.json to DIR."),
        ("--threshold", "EXPR", "Fail with exit code 3 unless EXPR holds, e.g. \"warm.p99<20ms\", \"all.error_rate<1%\", \"cold_start:cold.max<5s\" (repeatable)."),
        ("--abort-when-error-count", "N", "Check every --threshold while the run goes, every --live interval (default 5s), on the stats so far; stop the run after N failed checks of one (exit code 3)."),
        ("--start-check-after", "TIME", "With --abort-when-error-count: no checks while the run goes before TIME of it has passed (e.g. 30s, past a ramp-up). Default 0s."),
        ("--api-key", "KEY", "Bearer key for /v1 and /v2 calls (default: env BENCH_API_KEY)."),
        ("--cache", null, "Let inference requests use the prediction cache (default: \"cache\":false)."),
        ("--binary", null, "Send generated inference inputs as binary tensor data (Inference-Header-Content-Length) instead of JSON numbers."),
        ("--plain", null, "Plain progress lines instead of the live display (automatic when not a TTY or CI=true)."),
        ("--live", "TIME", "Print each step's stats every TIME while it runs (req/s, errors/s, p50/p99 of the interval, sent, dropped), e.g. 5s."),
        ("--live-file", "PATH", "Append the same stats as JSON lines to PATH every --live interval (default 5s)."),
        ("--otlp", null, "Export live stats as OpenTelemetry metrics (loadtests.requests_per_second, loadtests.latency by quantile, loadtests.errors_per_second, per scenario) over OTLP to OTEL_EXPORTER_OTLP_ENDPOINT (protocol: OTEL_EXPORTER_OTLP_PROTOCOL)."),
        ("--tolerance", "PCT", "compare: relative increase that counts as a regression. Default 10%."),
        ("--min-delta", "TIME", "compare: ignore latency changes smaller than this. Default 1ms."),
        ("--help", null, "Show this help."),
    ];

    /// <summary>How each option is read and where its value goes; the names are those of <see cref="Options"/>.</summary>
    private static readonly Binding[] Bindings =
    [
        Bind(Flag("--help", "-h"), (o, v) => o.Help = v),
        Bind(Value("--target", ParseTarget), (o, v) => o.Target = v),
        Bind(Value("--rate", ParsePositive), (o, v) => o.Rate = v),
        Bind(Value("--ramp-to", ParsePositive), (o, v) => o.RampTo = v),
        Bind(Value("--duration", (n, v) => ParseDuration(n, v, allowZero: false)), (o, v) => o.Duration = v),
        Bind(Value("--warmup", (n, v) => ParseDuration(n, v, allowZero: true)), (o, v) => o.Warmup = v),
        Bind(Value("--concurrency", (n, v) => ParseCount(n, v, 100_000)), (o, v) => o.Concurrency = v),
        Bind(Value("--connections", (n, v) => ParseCount(n, v, 100_000)), (o, v) => o.Connections = v),
        Bind(Value("--iterations", (n, v) => ParseCount(n, v, int.MaxValue)), (o, v) => o.Iterations = v),
        Bind(Each("--model", SplitList), (o, v) => o.Models.AddRange(v)),
        Bind(Each<string>("--model-file", (n, v) => [ParseExistingFile(n, v)]), (o, v) => o.ModelFiles.AddRange(v)),
        Bind(Value("--input-size", (n, v) => ParseCount(n, v, 100_000_000)), (o, v) => o.InputSize = v),
        Bind(Value("--int-fill", ParseLong), (o, v) => o.IntFill = v),
        Bind(Each("--batch-sizes", (n, v) => Array.ConvertAll(SplitList(n, v), size => ParseCount(n, size, 1_000_000))), (o, v) => o.BatchSizes.AddRange(v)),
        Bind(Value("--max-tokens", (n, v) => ParseCount(n, v, 1_000_000)), (o, v) => o.MaxTokens = v),
        Bind(Value("--prompt", (_, v) => v), (o, v) => o.Prompt = v),
        Bind(Value("--p99-bound", (n, v) => ParseDuration(n, v, allowZero: false)), (o, v) => o.P99Bound = v),
        Bind(Value("--max-rate", ParsePositive), (o, v) => o.MaxRate = v),
        Bind(Value("--path", ParsePath), (o, v) => o.Path = v),
        Bind(Value("--method", ParseMethod), (o, v) => o.Method = v),
        Bind(Value("--body-file", ParseExistingFile), (o, v) => o.BodyFile = v),
        Bind(Value("--content-type", (_, v) => v), (o, v) => o.ContentType = v),
        Bind(Value("--timeout", (n, v) => ParseDuration(n, v, allowZero: false)), (o, v) => o.Timeout = v),
        Bind(Value("--late-after", (n, v) => ParseDuration(n, v, allowZero: true)), (o, v) => o.LateAfter = v),
        Bind(Value("--rss-root", (n, v) => ParseCount(n, v, int.MaxValue)), (o, v) => o.RssRoot = v),
        Bind(Value("--cold-wait", (n, v) => ParseDuration(n, v, allowZero: false)), (o, v) => o.ColdWait = v),
        Bind(Value("--report", NonEmpty), (o, v) => o.ReportDirectory = v),
        Bind(Each<Threshold>("--threshold", (_, v) => [Threshold.Parse(v)]), (o, v) => o.Thresholds.AddRange(v)),
        Bind(Value("--abort-when-error-count", (n, v) => ParseCount(n, v, int.MaxValue)), (o, v) => o.AbortWhenErrorCount = v),
        Bind(Value("--start-check-after", (n, v) => ParseDuration(n, v, allowZero: true)), (o, v) => o.StartCheckAfter = v),
        Bind(Value("--api-key", NonEmpty), (o, v) => o.ApiKey = v),
        Bind(Flag("--cache"), (o, v) => o.UseCache = v),
        Bind(Flag("--binary"), (o, v) => o.Binary = v),
        Bind(Flag("--plain"), (o, v) => o.Plain = v),
        Bind(Value("--live", ParseLiveInterval), (o, v) => o.LiveInterval = v),
        Bind(Value("--live-file", NonEmpty), (o, v) => o.LiveFile = v),
        Bind(Flag("--otlp"), (o, v) => o.Otlp = v),
        Bind(Value("--tolerance", ParsePercent), (o, v) => o.Tolerance = v),
        Bind(Value("--min-delta", (n, v) => ParseDuration(n, v, allowZero: true)), (o, v) => o.MinDelta = v),
    ];

    /// <summary>What no option took: the scenario, compare's two files, and mistakes (unknown options, stray words).</summary>
    private static readonly Argument<string[]> Loose = new("arguments") { Arity = ArgumentArity.ZeroOrMore };

    private static readonly Command Command = BuildCommand();

    /// <summary>No response files (<c>@file</c>) and no bundling of short options: every argument means what it says.</summary>
    private static readonly ParserConfiguration Configuration = new() { ResponseFileTokenReplacer = null, EnablePosixBundling = false };

    /// <summary>Reads <paramref name="args"/>; a <see cref="UsageException"/> carries every mistake found.</summary>
    public static RunOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            throw new UsageException("no scenario given; run with --help to see the scenarios and options.");
        }

        var result = Command.Parse(args, Configuration);
        var errors = new List<string>();
        foreach (var error in result.Errors)
        {
            errors.Add(error.Message);
        }

        var options = new RunOptions();
        foreach (var binding in Bindings)
        {
            if (result.GetResult(binding.Option) is { Implicit: false } given && !result.Errors.Any(e => e.SymbolResult == given || e.SymbolResult?.Parent == given))
            {
                binding.Apply(result, options);
            }
        }

        ReadLooseArguments(result, options, errors);
        if (errors.Count == 0 && options.Help)
        {
            return options;
        }

        Validate(options, name => result.GetResult(name) is OptionResult { Implicit: false }, errors);
        return errors.Count == 0 ? options : throw new UsageException(errors);
    }

    private static Command BuildCommand()
    {
        var command = new Command("loadtests") { Loose };
        foreach (var binding in Bindings)
        {
            command.Add(binding.Option);
        }

        return command;
    }

    /// <summary>The first argument names the scenario; an unknown option takes the word after it along, so it is one mistake, not two.</summary>
    private static void ReadLooseArguments(ParseResult result, RunOptions options, List<string> errors)
    {
        var loose = new HashSet<Token>(result.GetResult(Loose)?.Tokens ?? [], ReferenceEqualityComparer.Instance);
        var tokens = result.Tokens;
        for (var i = 0; i < tokens.Count; i++)
        {
            var text = tokens[i].Value;
            if (tokens[i].Type == TokenType.DoubleDash)
            {
                errors.Add(UnknownOption(text));
            }
            else if (!loose.Contains(tokens[i]))
            {
                continue;
            }
            else if (i == 0 && !text.StartsWith('-'))
            {
                options.Scenario = text;
            }
            else if (text.StartsWith("--", StringComparison.Ordinal))
            {
                var equals = text.IndexOf('=', StringComparison.Ordinal);
                errors.Add(UnknownOption(equals > 0 ? text[..equals] : text));
                if (!text.Contains('=', StringComparison.Ordinal) && i + 1 < tokens.Count && loose.Contains(tokens[i + 1]) && !tokens[i + 1].Value.StartsWith('-'))
                {
                    i++;
                }
            }
            else
            {
                options.Positionals.Add(text);
            }
        }
    }

    /// <summary>What one option cannot check alone. An option given with a bad value already has its error, so it is not also called missing.</summary>
    private static void Validate(RunOptions options, Func<string, bool> given, List<string> errors)
    {
        if (options.Scenario.Length == 0)
        {
            errors.Add("no scenario given; the first argument names one: " + string.Join(", ", ScenarioCatalog.Names) + ", or compare.");
        }
        else if (options.Scenario == "compare")
        {
            if (options.Positionals.Count != 2)
            {
                errors.Add("compare needs two summary files: compare BASELINE.json CANDIDATE.json.");
                return;
            }

            foreach (var file in options.Positionals)
            {
                Collect(errors, () => ParseExistingFile("compare", file));
            }

            return;
        }
        else if (!ScenarioCatalog.Names.Contains(options.Scenario))
        {
            errors.Add($"unknown scenario '{options.Scenario}'; choose one of: {string.Join(", ", ScenarioCatalog.Names)}, or compare.");
        }

        foreach (var positional in options.Positionals)
        {
            errors.Add($"unexpected argument '{positional}'; options start with --.");
        }

        if (!given("--target"))
        {
            errors.Add("--target is required, e.g. --target http://127.0.0.1:8080.");
        }

        if (given("--ramp-to") && !given("--rate"))
        {
            errors.Add("--ramp-to needs --rate as the starting rate.");
        }

        if (options.AbortWhenErrorCount is { } abort)
        {
            if (!given("--threshold"))
            {
                errors.Add($"--abort-when-error-count {abort} counts failed checks of a --threshold, and there is none; add one, e.g. --threshold \"all.error_rate<1%\".");
            }

            for (var t = 0; t < options.Thresholds.Count; t++)
            {
                options.Thresholds[t] = options.Thresholds[t].WithChecks(abort, options.StartCheckAfter);
            }
        }
        else if (given("--start-check-after") && !given("--abort-when-error-count"))
        {
            errors.Add("--start-check-after delays the checks while the run goes, which only --abort-when-error-count makes; add --abort-when-error-count N (e.g. 3), or leave --start-check-after out.");
        }

        if (options.Scenario == "modes" && !given("--model-file"))
        {
            errors.Add("modes needs at least one --model-file PATH (an ONNX file) to run in-process and through the gateway.");
        }

        if (options.Scenario is "tokens" or "strategies" && !given("--model"))
        {
            errors.Add($"{options.Scenario} needs --model NAME naming a text-generation model the target serves.");
        }
    }

    /// <summary>An option without a value, such as <c>--cache</c>.</summary>
    private static Option<bool> Flag(string name, params string[] aliases) => new(name, aliases) { Arity = ArgumentArity.Zero };

    /// <summary>An option with one value; each use is checked and the last one counts.</summary>
    private static Option<T> Value<T>(string name, Func<string, string, T> read) => new(name)
    {
        // Zero or more, one per use: a use without a value gets this parser's message rather than System.CommandLine's.
        Arity = ArgumentArity.ZeroOrMore,
        CustomParser = argument =>
        {
            var value = default(T)!;
            foreach (var text in Texts(name, argument))
            {
                Collect(argument, () => value = read(name, text));
            }

            return value;
        },
    };

    /// <summary>A repeatable option; each use adds its values.</summary>
    private static Option<List<T>> Each<T>(string name, Func<string, string, IReadOnlyList<T>> read) => new(name)
    {
        Arity = ArgumentArity.ZeroOrMore,
        CustomParser = argument =>
        {
            var values = new List<T>();
            foreach (var text in Texts(name, argument))
            {
                Collect(argument, () => values.AddRange(read(name, text)));
            }

            return values;
        },
    };

    /// <summary>The values given to an option; an option followed by another one (or by nothing) is missing its value.</summary>
    private static List<string> Texts(string name, ArgumentResult argument)
    {
        var texts = new List<string>();
        foreach (var token in argument.Tokens)
        {
            if (token.Value.StartsWith("--", StringComparison.Ordinal) && token.Value.Length > 2)
            {
                argument.AddError(NeedsValue(name));
            }
            else
            {
                texts.Add(token.Value);
            }
        }

        // Fewer values than uses: one use had none (at the end of the line, or right before another option).
        if (argument.Parent is OptionResult option && argument.Tokens.Count < option.IdentifierTokenCount)
        {
            argument.AddError(NeedsValue(name));
        }

        return texts;
    }

    private static void Collect(ArgumentResult argument, Action read)
    {
        try
        {
            read();
        }
        catch (UsageException ex)
        {
            argument.AddError(ex.Message);
        }
    }

    private static void Collect(List<string> errors, Action check)
    {
        try
        {
            check();
        }
        catch (UsageException ex)
        {
            errors.AddRange(ex.Errors);
        }
    }

    private static string NeedsValue(string name) => $"{name} needs a value; run with --help for its format.";

    private static string UnknownOption(string name) => $"unknown option '{name}'; run with --help to see the options.";

    private static Binding Bind<T>(Option<T> option, Action<RunOptions, T> apply) => new(option, (result, options) => apply(options, result.GetValue(option)!));

    /// <summary>An option and how its value lands in <see cref="RunOptions"/>.</summary>
    private sealed record Binding(Option Option, Action<ParseResult, RunOptions> Apply);
}
