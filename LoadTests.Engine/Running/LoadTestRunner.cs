using BenchPlatform.LoadTests.Engine;
using BenchPlatform.LoadTests.Reports;
using BenchPlatform.LoadTests.Results;
using BenchPlatform.LoadTests.Thresholds;

namespace BenchPlatform.LoadTests;

/// <summary>
/// Runs registered scenarios at once (NBomber's <c>NBomberRunner</c>): init, the load, clean; checks thresholds at each
/// reporting interval while the load goes (stopping the run when one with <c>abortWhenErrorCount</c> has failed that
/// often) and once more at the end, writes the reports and returns the stats.
/// <c>await LoadTestRunner.RegisterScenarios(s).WithReportFolder("out").RunAsync()</c>.
/// </summary>
public sealed class LoadTestRunner
{
    private readonly List<ScenarioProps> _scenarios;
    private readonly List<IReportingSink> _sinks = [];
    private Uri? _target;
    private string? _reportFolder;
    private ReportFormat _formats = ReportFormat.All;
    private TimeSpan _interval = TimeSpan.FromSeconds(5);
    private TimeSpan _requestTimeout = TimeSpan.FromSeconds(30);
    private int _connections = 512;
    private HttpMessageInvoker? _invoker;
    private TimeProvider _time = TimeProvider.System;
    private string _title = "";

    private LoadTestRunner(IEnumerable<ScenarioProps> scenarios)
    {
        _scenarios = [.. scenarios];
    }

    /// <summary>
    /// Makes this process run socket continuations (an iteration's code after each network await) on the socket event
    /// threads instead of handing each one to the thread pool: no thread is woken per response, which cut the CPU per
    /// request of a closed-model scenario at one core by 22-30 % on a lightly loaded machine
    /// (bench/loadtests-vs-wrk.session10.txt). The open model pays for it: its iterations start on the thread pool, which
    /// then competes with busy event threads, and its generator lag grew at high rates, so the LoadTests CLI does not call
    /// it. Call it first in <c>Main</c>, before any socket is used (the runtime reads the setting once); afterwards a
    /// scenario must never block (<c>.Result</c>, <c>Thread.Sleep</c>, synchronous I/O, long CPU work without
    /// <c>Task.Run</c>), or it holds up every connection of its event thread. Sets
    /// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> unless the environment already sets it (<c>=0</c> keeps the
    /// thread pool hop); returns whether the process runs them inline.
    /// </summary>
    public static bool UseInlineSocketCompletions()
    {
        const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }

        return Environment.GetEnvironmentVariable(Variable) == "1";
    }

    /// <summary>The scenarios to run (all at once).</summary>
    public static LoadTestRunner RegisterScenarios(params ScenarioProps[] scenarios)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        if (scenarios.Length == 0)
        {
            throw new ArgumentException("RegisterScenarios needs at least one scenario: LoadTestRunner.RegisterScenarios(Scenario.Create(\"name\", async ctx => ...)).", nameof(scenarios));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scenario in scenarios)
        {
            ArgumentNullException.ThrowIfNull(scenario, nameof(scenarios));
            if (!names.Add(scenario.Name))
            {
                throw new ArgumentException($"Two scenarios are named '{scenario.Name}'; give each scenario its own name (reports and thresholds tell them apart by it).", nameof(scenarios));
            }
        }

        return new LoadTestRunner(scenarios);
    }

    /// <summary>The base address scenarios read from <see cref="IScenarioContext.Target"/>; the reports name it.</summary>
    public LoadTestRunner WithTarget(Uri target)
    {
        _target = target ?? throw new ArgumentNullException(nameof(target));
        return this;
    }

    /// <summary>Writes the reports (report.md, report.html, requests.csv, summary.json) into <paramref name="folder"/>.</summary>
    public LoadTestRunner WithReportFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        _reportFolder = folder;
        return this;
    }

    /// <summary>Which report files to write.</summary>
    public LoadTestRunner WithReportFormats(params ReportFormat[] formats)
    {
        _formats = 0;
        foreach (var format in formats)
        {
            _formats |= format;
        }

        return this;
    }

    /// <summary>Sinks that get the stats every interval and at the end (<see cref="LiveSink"/>, <see cref="OtlpMetricsSink"/>).</summary>
    public LoadTestRunner WithReportingSinks(params IReportingSink[] sinks)
    {
        _sinks.AddRange(sinks);
        return this;
    }

    /// <summary>How often the sinks get realtime stats and thresholds are checked while the run goes (default 5 s).</summary>
    public LoadTestRunner WithReportingInterval(TimeSpan interval)
    {
        if (interval < TimeSpan.FromMilliseconds(100))
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The reporting interval must be at least 100 ms (e.g. TimeSpan.FromSeconds(5)).");
        }

        _interval = interval;
        return this;
    }

    /// <summary>How long one iteration may take before it is cancelled and counted as a timeout (default 30 s).</summary>
    public LoadTestRunner WithRequestTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The request timeout must be longer than zero (e.g. TimeSpan.FromSeconds(30)).");
        }

        _requestTimeout = timeout;
        return this;
    }

    /// <summary>Connections in the shared pool, and the open model's default iterations in flight (default 512).</summary>
    public LoadTestRunner WithMaxConnections(int connections)
    {
        if (connections <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(connections), connections, "WithMaxConnections needs a positive number of connections.");
        }

        _connections = connections;
        return this;
    }

    /// <summary>Uses <paramref name="invoker"/> (not disposed here) instead of a client of the runner's own.</summary>
    public LoadTestRunner WithHttpClient(HttpMessageInvoker invoker)
    {
        _invoker = invoker ?? throw new ArgumentNullException(nameof(invoker));
        return this;
    }

    /// <summary>The clock (tests).</summary>
    public LoadTestRunner WithTimeProvider(TimeProvider time)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        return this;
    }

    /// <summary>The title of the reports (default: the scenarios' names).</summary>
    public LoadTestRunner WithTestName(string title)
    {
        _title = title ?? "";
        return this;
    }

    /// <summary>Runs synchronously (<see cref="RunAsync"/>).</summary>
    public LoadTestStats Run() => RunAsync().GetAwaiter().GetResult();

    /// <summary>
    /// Runs every scenario at once and returns their stats. A scenario's exception is a failed iteration; a mistake in how
    /// a scenario is written (<see cref="ScenarioDefinitionException"/>) stops the run and is thrown here.
    /// </summary>
    public async Task<LoadTestStats> RunAsync(CancellationToken cancellationToken = default)
    {
        using var ownedHandler = _invoker is null ? LoadEngine.CreateHandler(_connections + 16) : null;
        using var ownedInvoker = ownedHandler is null ? null : new HttpMessageInvoker(ownedHandler, disposeHandler: false);
        var invoker = _invoker ?? ownedInvoker!;
        var startedAt = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        foreach (var sink in _sinks)
        {
            await sink.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        var engines = new LoadEngine[_scenarios.Count];
        for (var i = 0; i < engines.Length; i++)
        {
            engines[i] = new LoadEngine(invoker, _requestTimeout, _time);
        }

        var failures = new List<string>();
        using var reporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var live = _sinks.Count > 0 ? ReportLiveAsync(engines, reporting.Token) : Task.CompletedTask;
        var checks = new LiveThresholdChecks(_scenarios, engines, abort);
        var checking = checks.Any ? checks.RunAsync(_interval, _time, reporting.Token) : Task.CompletedTask;
        ScenarioStats?[] results;
        try
        {
            var runs = new Task<ScenarioStats?>[_scenarios.Count];
            for (var i = 0; i < runs.Length; i++)
            {
                runs[i] = RunScenarioAsync(_scenarios[i], engines[i], invoker, failures, abort.Token);
            }

            results = await Task.WhenAll(runs).ConfigureAwait(false);
        }
        finally
        {
            await reporting.CancelAsync().ConfigureAwait(false);
            await live.ConfigureAwait(false);
            await checking.ConfigureAwait(false);
        }

        var scenarios = new List<ScenarioStats>();
        var summaries = new List<RunSummary>();
        var thresholds = new List<ThresholdResult>();
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i] is not { } stats)
            {
                continue;
            }

            scenarios.Add(stats);
            var own = new List<RunSummary> { stats.Summary };
            own.AddRange(stats.Steps.Select(s => s.Summary));
            summaries.AddRange(own);
            for (var t = 0; t < _scenarios[i].Thresholds.Count; t++)
            {
                thresholds.Add(checks.Final(i, t, Check(_scenarios[i].Thresholds[t], stats, own)));
            }
        }

        var duration = _time.GetElapsedTime(started);
        var final = new LoadTestStats(scenarios, thresholds, failures, _reportFolder is null ? null : Path.GetFullPath(_reportFolder), duration);
        if (_reportFolder is not null)
        {
            ReportWriter.Write(new RunReport
            {
                Scenario = _title.Length > 0 ? _title : string.Join(", ", _scenarios.Select(s => s.Name)),
                Target = _target?.ToString() ?? "(scenario URLs)",
                Arguments = [],
                StartedAt = startedAt,
                FinishedAt = _time.GetUtcNow(),
                Runs = summaries,
                Thresholds = thresholds,
                LiveChecks = checks.Any ? new LiveCheckSummary(_interval, checks.Rounds) : null,
                Failures = failures,
            }, _reportFolder, _formats);
        }

        foreach (var sink in _sinks)
        {
            await sink.SaveFinalStatsAsync(final, CancellationToken.None).ConfigureAwait(false);
            await sink.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return final;
    }

    private async Task<ScenarioStats?> RunScenarioAsync(ScenarioProps scenario, LoadEngine engine, HttpMessageInvoker invoker, List<string> failures, CancellationToken cancellationToken)
    {
        var setup = new ScenarioInitContext(scenario.Name, _target, invoker, cancellationToken);
        if (scenario.Init is { } init)
        {
            try
            {
                await init(setup).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                lock (failures)
                {
                    failures.Add($"{scenario.Name}: init failed, the scenario did not run: {ex.GetType().Name}: {ex.Message}");
                }

                return null;
            }
        }

        ScenarioRun run;
        try
        {
            run = await engine.RunAsync(scenario, _connections, _target, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (scenario.Clean is { } clean)
            {
                try
                {
                    await clean(setup).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    lock (failures)
                    {
                        failures.Add($"{scenario.Name}: clean failed: {ex.GetType().Name}: {ex.Message}");
                    }
                }
            }
        }

        if (run.DefinitionError is { } error)
        {
            throw error;
        }

        return Summarize(scenario.Name, run);
    }

    internal static ScenarioStats Summarize(string name, ScenarioRun run)
    {
        var steps = new List<StepStats>();
        foreach (var (step, records) in run.Steps)
        {
            steps.Add(new StepStats(step, Summarizer.Summarize(name, step, records)));
        }

        var summary = Summarizer.Summarize(name, "iterations", run.Records);
        summary.FailureMessages.AddRange(run.Failures);
        return new ScenarioStats(name, summary, steps);
    }

    internal static ThresholdResult Check(Threshold threshold, ScenarioStats stats, List<RunSummary> summaries)
    {
        if (threshold.Expression is not null)
        {
            // An expression without a scenario reads this scenario's iterations and steps.
            return ThresholdEvaluator.Evaluate([threshold], summaries)[0];
        }

        var where = threshold.StepName is null ? stats.ScenarioName : $"{stats.ScenarioName}/{threshold.StepName}";
        try
        {
            var passed = threshold.StepCheck is { } stepCheck
                ? stepCheck(stats.GetStepStats(threshold.StepName!))
                : threshold.ScenarioCheck!(stats);
            return new ThresholdResult(threshold, passed, null, where, $"{threshold.Text}: {(passed ? "ok" : "FAILED")} (at {where})");
        }
        catch (Exception ex)
        {
            return new ThresholdResult(threshold, false, null, where, $"{threshold.Text}: FAILED (it threw {ex.GetType().Name}: {ex.Message})");
        }
    }

    private Task ReportLiveAsync(LoadEngine[] engines, CancellationToken cancellationToken)
    {
        var names = _scenarios.Select(s => s.Name).ToArray();
        return new LiveReporter(_sinks, _interval, _time).RunAsync(() =>
        {
            var running = new List<(string, LiveCounters)>(engines.Length);
            for (var i = 0; i < engines.Length; i++)
            {
                running.Add((names[i], engines[i].Live));
            }

            return running;
        }, cancellationToken);
    }
}
