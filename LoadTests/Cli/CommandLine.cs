using System.Globalization;
using BenchPlatform.LoadTests.Scenarios;

namespace BenchPlatform.LoadTests.Cli;

/// <summary>Parses the command line into <see cref="RunOptions"/>; every mistake is a <see cref="UsageException"/> saying what to change.</summary>
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

    public static RunOptions Parse(IReadOnlyList<string> args)
    {
        var options = new RunOptions();
        if (args.Count == 0)
        {
            throw new UsageException("no scenario given; run with --help to see the scenarios and options.");
        }

        var i = 0;
        if (!args[0].StartsWith('-'))
        {
            options.Scenario = args[0];
            i = 1;
        }

        for (; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) && arg != "-h")
            {
                options.Positionals.Add(arg);
                continue;
            }

            string name = arg;
            string? inline = null;
            var eq = arg.IndexOf('=');
            if (eq > 0)
            {
                name = arg[..eq];
                inline = arg[(eq + 1)..];
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Count || (args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2))
                {
                    throw new UsageException($"{name} needs a value; run with --help for its format.");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--help" or "-h": options.Help = true; break;
                case "--target": options.Target = ParseTarget(Value()); break;
                case "--rate": options.Rate = ParsePositive(name, Value()); break;
                case "--ramp-to": options.RampTo = ParsePositive(name, Value()); break;
                case "--duration": options.Duration = ParseDuration(name, Value(), allowZero: false); break;
                case "--warmup": options.Warmup = ParseDuration(name, Value(), allowZero: true); break;
                case "--concurrency": options.Concurrency = ParseCount(name, Value(), 100_000); break;
                case "--connections": options.Connections = ParseCount(name, Value(), 100_000); break;
                case "--iterations": options.Iterations = ParseCount(name, Value(), int.MaxValue); break;
                case "--model": options.Models.AddRange(SplitList(name, Value())); break;
                case "--model-file": options.ModelFiles.Add(ParseExistingFile(name, Value())); break;
                case "--input-size": options.InputSize = ParseCount(name, Value(), 100_000_000); break;
                case "--int-fill": options.IntFill = ParseLong(name, Value()); break;
                case "--batch-sizes":
                    foreach (var size in SplitList(name, Value()))
                    {
                        options.BatchSizes.Add(ParseCount(name, size, 1_000_000));
                    }

                    break;
                case "--max-tokens": options.MaxTokens = ParseCount(name, Value(), 1_000_000); break;
                case "--prompt": options.Prompt = Value(); break;
                case "--p99-bound": options.P99Bound = ParseDuration(name, Value(), allowZero: false); break;
                case "--max-rate": options.MaxRate = ParsePositive(name, Value()); break;
                case "--path": options.Path = ParsePath(Value()); break;
                case "--method": options.Method = ParseMethod(Value()); break;
                case "--body-file": options.BodyFile = ParseExistingFile(name, Value()); break;
                case "--content-type": options.ContentType = Value(); break;
                case "--timeout": options.Timeout = ParseDuration(name, Value(), allowZero: false); break;
                case "--late-after": options.LateAfter = ParseDuration(name, Value(), allowZero: true); break;
                case "--rss-root": options.RssRoot = ParseCount(name, Value(), int.MaxValue); break;
                case "--cold-wait": options.ColdWait = ParseDuration(name, Value(), allowZero: false); break;
                case "--report": options.ReportDirectory = NonEmpty(name, Value()); break;
                case "--threshold": options.Thresholds.Add(Threshold.Parse(Value())); break;
                case "--abort-when-error-count": options.AbortWhenErrorCount = ParseCount(name, Value(), int.MaxValue); break;
                case "--start-check-after": options.StartCheckAfter = ParseDuration(name, Value(), allowZero: true); break;
                case "--api-key": options.ApiKey = NonEmpty(name, Value()); break;
                case "--cache": options.UseCache = true; break;
                case "--binary": options.Binary = true; break;
                case "--plain": options.Plain = true; break;
                case "--live": options.LiveInterval = ParseLiveInterval(name, Value()); break;
                case "--live-file": options.LiveFile = NonEmpty(name, Value()); break;
                case "--otlp": options.Otlp = true; break;
                case "--tolerance": options.Tolerance = ParsePercent(name, Value()); break;
                case "--min-delta": options.MinDelta = ParseDuration(name, Value(), allowZero: true); break;
                default: throw new UsageException($"unknown option '{name}'; run with --help to see the options.");
            }
        }

        if (options.Help)
        {
            return options;
        }

        Validate(options);
        return options;
    }

    private static void Validate(RunOptions options)
    {
        if (options.Scenario.Length == 0)
        {
            throw new UsageException("no scenario given; the first argument names one: " + string.Join(", ", ScenarioCatalog.Names) + ", or compare.");
        }

        if (options.Scenario == "compare")
        {
            if (options.Positionals.Count != 2)
            {
                throw new UsageException("compare needs two summary files: compare BASELINE.json CANDIDATE.json.");
            }

            foreach (var file in options.Positionals)
            {
                ParseExistingFile("compare", file);
            }

            return;
        }

        if (!ScenarioCatalog.Names.Contains(options.Scenario))
        {
            throw new UsageException($"unknown scenario '{options.Scenario}'; choose one of: {string.Join(", ", ScenarioCatalog.Names)}, or compare.");
        }

        if (options.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument '{options.Positionals[0]}'; options start with --.");
        }

        if (options.Target is null)
        {
            throw new UsageException("--target is required, e.g. --target http://127.0.0.1:8080.");
        }

        if (options.RampTo is not null && options.Rate is null)
        {
            throw new UsageException("--ramp-to needs --rate as the starting rate.");
        }

        if (options.AbortWhenErrorCount is { } abort)
        {
            if (options.Thresholds.Count == 0)
            {
                throw new UsageException($"--abort-when-error-count {abort} counts failed checks of a --threshold, and there is none; add one, e.g. --threshold \"all.error_rate<1%\".");
            }

            for (var t = 0; t < options.Thresholds.Count; t++)
            {
                options.Thresholds[t] = options.Thresholds[t].WithChecks(abort, options.StartCheckAfter);
            }
        }
        else if (options.StartCheckAfter is not null)
        {
            throw new UsageException("--start-check-after delays the checks while the run goes, which only --abort-when-error-count makes; add --abort-when-error-count N (e.g. 3), or leave --start-check-after out.");
        }

        if (options.Scenario == "modes" && options.ModelFiles.Count == 0)
        {
            throw new UsageException("modes needs at least one --model-file PATH (an ONNX file) to run in-process and through the gateway.");
        }

        if (options.Scenario is "tokens" or "strategies" && options.Models.Count == 0)
        {
            throw new UsageException($"{options.Scenario} needs --model NAME naming a text-generation model the target serves.");
        }
    }

    private static Uri ParseTarget(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--target '{value}' is not an http(s) URL; give one like http://127.0.0.1:8080.");
        }

        return uri;
    }

    private static double ParsePositive(string name, string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number) || number <= 0)
        {
            throw new UsageException($"{name} '{value}' must be a number greater than 0 (requests per second).");
        }

        return number;
    }

    private static int ParseCount(string name, string value, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > max)
        {
            throw new UsageException($"{name} '{value}' must be a whole number from 1 to {max}.");
        }

        return number;
    }

    private static long ParseLong(string name, string value)
    {
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            throw new UsageException($"{name} '{value}' must be a whole number.");
        }

        return number;
    }

    private static TimeSpan ParseLiveInterval(string name, string value)
    {
        var interval = ParseDuration(name, value, allowZero: false);
        return interval >= TimeSpan.FromMilliseconds(100) ? interval : throw new UsageException($"{name} '{value}' is too short; give 100ms or more, e.g. 5s.");
    }

    private static TimeSpan ParseDuration(string name, string value, bool allowZero)
    {
        if (!Units.TryParseDuration(value, out var duration) || (!allowZero && duration <= TimeSpan.Zero))
        {
            throw new UsageException($"{name} '{value}' must be a duration{(allowZero ? "" : " greater than 0")} such as 30s, 500ms or 2m.");
        }

        return duration;
    }

    private static double ParsePercent(string name, string value)
    {
        var text = value.TrimEnd('%');
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number) || number < 0)
        {
            throw new UsageException($"{name} '{value}' must be a percentage such as 10%.");
        }

        return number / 100;
    }

    private static string ParseExistingFile(string name, string value)
    {
        if (!File.Exists(value))
        {
            throw new UsageException($"{name}: file '{value}' does not exist.");
        }

        return value;
    }

    private static string ParsePath(string value)
    {
        if (!value.StartsWith('/'))
        {
            throw new UsageException($"--path '{value}' must start with '/', e.g. /alive or /v1/models.");
        }

        return value;
    }

    private static HttpMethod ParseMethod(string value) => value.ToUpperInvariant() switch
    {
        "GET" => HttpMethod.Get,
        "POST" => HttpMethod.Post,
        "PUT" => HttpMethod.Put,
        _ => throw new UsageException($"--method '{value}' is not supported; use GET, POST or PUT."),
    };

    private static string NonEmpty(string name, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new UsageException($"{name} needs a non-empty value.") : value;

    private static string[] SplitList(string name, string value)
    {
        var parts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 0 ? throw new UsageException($"{name} needs at least one value.") : parts;
    }
}
