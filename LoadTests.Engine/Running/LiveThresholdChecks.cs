using System.Globalization;
using BenchPlatform.LoadTests.Engine;
using BenchPlatform.LoadTests.Results;
using BenchPlatform.LoadTests.Thresholds;

namespace BenchPlatform.LoadTests;

/// <summary>
/// Checks every scenario's thresholds at each reporting interval on its stats so far (NBomber's way), counts each
/// threshold's failed checks, and stops the run once a threshold with <see cref="Threshold.AbortWhenErrorCount"/> has
/// failed that many times. A threshold without data yet (no request of its class, a step not run yet) is not checked.
/// </summary>
internal sealed class LiveThresholdChecks
{
    private readonly IReadOnlyList<ScenarioProps> _scenarios;
    private readonly LoadEngine[] _engines;
    private readonly CancellationTokenSource _abort;
    private readonly int[][] _failed;
    private readonly int[][] _checks;
    private readonly string?[][] _aborted;
    private readonly TimeSpan?[][] _stoppedAt;

    public LiveThresholdChecks(IReadOnlyList<ScenarioProps> scenarios, LoadEngine[] engines, CancellationTokenSource abort)
    {
        _scenarios = scenarios;
        _engines = engines;
        _abort = abort;
        _failed = new int[scenarios.Count][];
        _checks = new int[scenarios.Count][];
        _aborted = new string?[scenarios.Count][];
        _stoppedAt = new TimeSpan?[scenarios.Count][];
        for (var i = 0; i < scenarios.Count; i++)
        {
            _failed[i] = new int[scenarios[i].Thresholds.Count];
            _checks[i] = new int[scenarios[i].Thresholds.Count];
            _aborted[i] = new string?[scenarios[i].Thresholds.Count];
            _stoppedAt[i] = new TimeSpan?[scenarios[i].Thresholds.Count];
            Any |= scenarios[i].Thresholds.Count > 0;
        }
    }

    /// <summary>Whether any scenario has a threshold.</summary>
    public bool Any { get; }

    /// <summary>Rounds of checks made so far.</summary>
    public int Rounds { get; private set; }

    /// <summary>Checks every <paramref name="interval"/> until cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            CheckOnce();
        }
    }

    /// <summary>One round of checks on every running scenario's stats so far.</summary>
    public void CheckOnce()
    {
        Rounds++;
        for (var i = 0; i < _scenarios.Count; i++)
        {
            var thresholds = _scenarios[i].Thresholds;
            if (thresholds.Count == 0 || _engines[i].Snapshot() is not { } run)
            {
                continue;
            }

            var elapsed = TimeSpan.FromSeconds(run.Records.WarmupSeconds + run.Records.MeasuredSeconds);
            var stats = LoadTestRunner.Summarize(_scenarios[i].Name, run);
            var summaries = new List<RunSummary> { stats.Summary };
            foreach (var step in stats.Steps)
            {
                summaries.Add(step.Summary);
            }

            for (var t = 0; t < thresholds.Count; t++)
            {
                var threshold = thresholds[t];
                if (elapsed < threshold.StartCheckAfter || _aborted[i][t] is not null)
                {
                    continue;
                }

                var result = LoadTestRunner.Check(threshold, stats, summaries);
                if (NoDataYet(threshold, result))
                {
                    continue;
                }

                _checks[i][t]++;
                if (result.Passed)
                {
                    continue;
                }

                var failed = ++_failed[i][t];
                if (threshold.AbortWhenErrorCount is { } limit && failed >= limit)
                {
                    _stoppedAt[i][t] = elapsed;
                    _aborted[i][t] = string.Create(CultureInfo.InvariantCulture,
                        $"{result.Message}; stopped the run at {elapsed.TotalSeconds:0.0} s after {failed} failed check(s) while it went (abortWhenErrorCount: {limit})");
                    _abort.Cancel();
                }
            }
        }
    }

    /// <summary>The end's result of threshold <paramref name="t"/> of scenario <paramref name="i"/>, with its checks while the run went.</summary>
    public ThresholdResult Final(int i, int t, ThresholdResult atTheEnd) => _aborted[i][t] is { } message
        ? atTheEnd with { Passed = false, Message = message, FailedChecks = _failed[i][t], AbortedRun = true, Checks = _checks[i][t], StoppedAt = _stoppedAt[i][t] }
        : atTheEnd with { FailedChecks = _failed[i][t], Checks = _checks[i][t] };

    /// <summary>An expression with nothing to read yet, or a predicate that threw (a step that has not run yet).</summary>
    private static bool NoDataYet(Threshold threshold, ThresholdResult result) =>
        threshold.Expression is not null ? result.Actual is null : result.Message.Contains("(it threw ", StringComparison.Ordinal);
}
