using BenchPlatform.LoadTests.Engine;
using BenchPlatform.LoadTests.Progress;
using BenchPlatform.LoadTests.Reports;
using BenchPlatform.LoadTests.Scenarios;
using BenchPlatform.LoadTests.Thresholds;

namespace BenchPlatform.LoadTests.Cli;

/// <summary>The command: parse, run the scenario(s), write reports, check thresholds, return the exit code.</summary>
public static class LoadTestsApp
{
    /// <summary>Runs one invocation; <paramref name="live"/> picks the Spectre display (else plain lines on <paramref name="output"/>).</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, bool live, CancellationToken cancellationToken)
    {
        RunOptions options;
        try
        {
            options = CommandLine.Parse(args);
        }
        catch (UsageException ex)
        {
            return Usage(ex, error);
        }

        if (options.Help)
        {
            output.Write(HelpText.Build());
            return ExitCodes.Ok;
        }

        if (options.Scenario == "compare")
        {
            try
            {
                var regressions = SummaryComparison.Compare(options.Positionals[0], options.Positionals[1], options.Tolerance, options.MinDelta, output);
                return regressions == 0 ? ExitCodes.Ok : ExitCodes.Regression;
            }
            catch (UsageException ex)
            {
                return Usage(ex, error);
            }
        }

        options.ApiKey ??= Environment.GetEnvironmentVariable("BENCH_API_KEY") is { Length: > 0 } key ? key : null;
        var time = TimeProvider.System;
        using var handler = LoadEngine.CreateHandler(options.Connections + 16);
        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        var engine = new LoadEngine(invoker, options.Timeout, time);
        var api = new GatewayApi(handler, options.Target!, options.ApiKey, options.ColdWait + options.Timeout);
        IProgressView progress = live && !options.Plain ? new LiveProgress() : new PlainProgress(output, TimeSpan.FromSeconds(5));
        var context = new ScenarioContext(options, engine, api, progress, time);
        var startedAt = time.GetUtcNow();
        var failures = new List<string>();
        var sinks = Sinks(options, output);
        foreach (var sink in sinks)
        {
            await sink.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        using var liveStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var liveReporting = sinks.Count == 0
            ? Task.CompletedTask
            : new LiveReporter(sinks, options.LiveInterval ?? TimeSpan.FromSeconds(5), time).RunAsync(
                () => context.CurrentStep is { } step ? [(step, engine.Live)] : [], liveStop.Token);

        // --abort-when-error-count: the thresholds are checked while the run goes, and one that fails that often stops it.
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var checks = new LiveThresholds(options.Thresholds, context.ResultsSoFar, abort, time);
        var checkInterval = options.LiveInterval ?? TimeSpan.FromSeconds(5);
        var checking = options.AbortWhenErrorCount is null
            ? Task.CompletedTask
            : checks.RunAsync(checkInterval, liveStop.Token);
        var scenarios = options.Scenario == "all"
            ? new[] { "warm", "cold_start", "complexity", "concurrency", "throughput", "batch", "sandbox", "modes", "tokens", "strategies" }
            : [options.Scenario];
        foreach (var scenario in scenarios)
        {
            if (options.Scenario == "all" && scenario == "modes" && options.ModelFiles.Count == 0)
            {
                progress.Info("modes: skipped (needs --model-file)");
                continue;
            }

            try
            {
                if (abort.IsCancellationRequested)
                {
                    break;
                }

                if (options.Scenario == "all" && scenario is "tokens" or "strategies" && await context.LlmAsync(abort.Token).ConfigureAwait(false) is null)
                {
                    progress.Info($"{scenario}: skipped (the target lists no llm model)");
                    continue;
                }

                await ScenarioCatalog.RunAsync(scenario, context, abort.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ScenarioFailedException or HttpRequestException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or IOException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
            {
                var message = $"{scenario}: {ex.Message}";
                failures.Add(message);
                error.WriteLine($"error: {message}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{scenario}: interrupted");
                break;
            }
            catch (OperationCanceledException) when (checks.Aborted)
            {
                // A threshold stopped the run; its result says so.
                break;
            }
        }

        await liveStop.CancelAsync().ConfigureAwait(false);
        await liveReporting.ConfigureAwait(false);
        await checking.ConfigureAwait(false);
        var thresholds = checks.Final(ThresholdEvaluator.Evaluate(options.Thresholds, context.Results));
        var report = new RunReport
        {
            Scenario = options.Scenario,
            Target = options.Target!.ToString(),
            Arguments = [.. args],
            StartedAt = startedAt,
            FinishedAt = time.GetUtcNow(),
            Runs = context.Results,
            Thresholds = thresholds,
            LiveChecks = options.AbortWhenErrorCount is null ? null : new LiveCheckSummary(checkInterval, checks.Rounds),
            Failures = failures,
        };
        if (options.ReportDirectory is { } directory)
        {
            ReportWriter.Write(report, directory);
            output.WriteLine($"reports: {Path.GetFullPath(directory)} ({ReportWriter.Markdown}, {ReportWriter.Html}, {ReportWriter.Csv}, {ReportWriter.Json})");
        }

        foreach (var sink in sinks)
        {
            await sink.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var result in thresholds)
        {
            (result.Passed ? output : error).WriteLine($"threshold {result.Message}");
        }

        if (failures.Count > 0 && context.Results.Count == 0)
        {
            return ExitCodes.RunFailed;
        }

        if (thresholds.Any(t => !t.Passed))
        {
            error.WriteLine($"error: {thresholds.Count(t => !t.Passed)} threshold(s) failed (exit code {ExitCodes.ThresholdFailed}).");
            return ExitCodes.ThresholdFailed;
        }

        return failures.Count > 0 ? ExitCodes.RunFailed : ExitCodes.Ok;
    }

    /// <summary>Prints every mistake of the command line, one <c>error:</c> line each.</summary>
    private static int Usage(UsageException mistakes, TextWriter error)
    {
        foreach (var message in mistakes.Errors)
        {
            error.WriteLine($"error: {message}");
        }

        return ExitCodes.Usage;
    }

    private static List<IReportingSink> Sinks(RunOptions options, TextWriter output)
    {
        var sinks = new List<IReportingSink>();
        if (options.LiveInterval is not null)
        {
            sinks.Add(LiveSink.ToWriter(output));
        }

        if (options.LiveFile is { } file)
        {
            sinks.Add(LiveSink.ToFile(file));
        }

        if (options.Otlp)
        {
            sinks.Add(new OtlpMetricsSink(exportInterval: options.LiveInterval));
        }

        return sinks;
    }
}
