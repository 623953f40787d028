using System.Globalization;
using BenchPlatform.LoadTests.Results;
using BenchPlatform.LoadTests.Thresholds;

namespace BenchPlatform.LoadTests.Cli;

/// <summary>
/// The command's <c>--threshold</c>s checked while the run goes (<c>--abort-when-error-count</c>): at each interval, on
/// the finished steps and the running step's records so far. A threshold without data yet is not checked, nor before its
/// <c>--start-check-after</c>; the n-th failed check of one threshold stops the run, and that threshold fails saying so.
/// </summary>
internal sealed class LiveThresholds
{
    private readonly IReadOnlyList<Threshold> _thresholds;
    private readonly Func<List<RunSummary>> _soFar;
    private readonly CancellationTokenSource _abort;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly int[] _failed;
    private readonly int[] _checks;
    private readonly string?[] _aborted;
    private readonly TimeSpan?[] _stoppedAt;

    /// <param name="thresholds">The thresholds; those without <see cref="Threshold.AbortWhenErrorCount"/> are left to the end.</param>
    /// <param name="soFar">The steps' summaries so far, the running one's included.</param>
    /// <param name="abort">Cancelled to stop the run.</param>
    /// <param name="time">The clock <c>--start-check-after</c> is read on, from now.</param>
    public LiveThresholds(IReadOnlyList<Threshold> thresholds, Func<List<RunSummary>> soFar, CancellationTokenSource abort, TimeProvider time)
    {
        _thresholds = thresholds;
        _soFar = soFar;
        _abort = abort;
        _time = time;
        _started = time.GetTimestamp();
        _failed = new int[thresholds.Count];
        _checks = new int[thresholds.Count];
        _aborted = new string?[thresholds.Count];
        _stoppedAt = new TimeSpan?[thresholds.Count];
    }

    /// <summary>Rounds of checks made so far.</summary>
    public int Rounds { get; private set; }

    /// <summary>Whether a threshold stopped the run.</summary>
    public bool Aborted => Array.Exists(_aborted, static message => message is not null);

    /// <summary>Checks every <paramref name="interval"/> until cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            CheckOnce();
        }
    }

    /// <summary>One round of checks on the stats so far.</summary>
    public void CheckOnce()
    {
        var elapsed = _time.GetElapsedTime(_started);
        Rounds++;
        List<RunSummary>? runs = null;
        for (var t = 0; t < _thresholds.Count; t++)
        {
            var threshold = _thresholds[t];
            if (threshold.AbortWhenErrorCount is not { } limit || elapsed < threshold.StartCheckAfter || _aborted[t] is not null)
            {
                continue;
            }

            runs ??= _soFar();
            var result = ThresholdEvaluator.Evaluate([threshold], runs)[0];
            if (result.Actual is null)
            {
                continue;
            }

            _checks[t]++;
            if (result.Passed)
            {
                continue;
            }

            var failed = ++_failed[t];
            if (failed >= limit)
            {
                _stoppedAt[t] = elapsed;
                _aborted[t] = string.Create(CultureInfo.InvariantCulture,
                    $"{result.Message}; stopped the run at {elapsed.TotalSeconds:0.0} s after {failed} failed check(s) while it went (--abort-when-error-count {limit})");
                _abort.Cancel();
            }
        }
    }

    /// <summary>The end's results (in threshold order) with the checks made while the run went.</summary>
    public List<ThresholdResult> Final(List<ThresholdResult> atTheEnd)
    {
        var results = new List<ThresholdResult>(atTheEnd.Count);
        for (var t = 0; t < atTheEnd.Count; t++)
        {
            results.Add(_aborted[t] is { } message
                ? atTheEnd[t] with { Passed = false, Message = message, FailedChecks = _failed[t], AbortedRun = true, Checks = _checks[t], StoppedAt = _stoppedAt[t] }
                : atTheEnd[t] with { FailedChecks = _failed[t], Checks = _checks[t] });
        }

        return results;
    }
}
