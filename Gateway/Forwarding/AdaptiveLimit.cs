namespace BenchPlatform.Gateway.Forwarding;

/// <summary>
/// A concurrency limit that follows the latency it causes (the gradient algorithm of Netflix's concurrency-limits and
/// Envoy's adaptive concurrency filter): every window of answers compares their mean latency with what the model may
/// take: twice its latency when nothing queues (the lowest window mean seen, drifting slowly up so that a machine that
/// became slower for good is learnt within a minute) plus an allowance for queueing. While answers come within that,
/// the limit grows by its square root; when they come slower, it shrinks in proportion, down to half per window. So
/// the requests let through are the ones the replicas answer within the bound, on whatever machine, model and replica
/// count, and the rest can be refused at once.
/// </summary>
internal sealed class AdaptiveLimit(TimeProvider time, TimeSpan allowance, int initial = AdaptiveLimit.Initial, int max = AdaptiveLimit.Max)
{
    public const int Initial = 256;
    public const int Max = 1000;

    private const int MinLimit = 1;
    private const int WindowAnswers = 16;
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private int _inflight;
    private double _limit = initial;
    private double _baseline;
    private double _windowSum;
    private int _windowCount;
    private int _windowMostInflight;
    private long _windowStart;
    private long _lastCut;

    /// <summary>Requests admitted and not yet answered.</summary>
    public int Inflight => Volatile.Read(ref _inflight);

    /// <summary>The current limit.</summary>
    public int Limit => (int)Volatile.Read(ref _limit);

    /// <summary>Admits a request when fewer than the limit are in flight.</summary>
    public bool TryEnter()
    {
        var now = Interlocked.Increment(ref _inflight);
        if (now > (int)Volatile.Read(ref _limit))
        {
            Interlocked.Decrement(ref _inflight);
            return false;
        }

        if (now > Volatile.Read(ref _windowMostInflight))
        {
            Volatile.Write(ref _windowMostInflight, now);
        }

        return true;
    }

    /// <summary>
    /// Ends an admitted request: <paramref name="latencyMs"/> is its round trip when it was answered normally (else null);
    /// <paramref name="refusedDownstream"/> says a replica refused it as overloaded, which takes a tenth off the limit at
    /// once (at most once a window).
    /// </summary>
    public void Exit(double? latencyMs, bool refusedDownstream = false)
    {
        Interlocked.Decrement(ref _inflight);
        lock (_lock)
        {
            var now = time.GetTimestamp();
            if (refusedDownstream && (_lastCut == 0 || time.GetElapsedTime(_lastCut, now) >= Window))
            {
                // Once a window: a burst of refusals is one signal, not one cut each.
                _lastCut = now;
                Volatile.Write(ref _limit, Math.Max(MinLimit, _limit * 0.9));
            }

            if (latencyMs is not { } rtt)
            {
                return;
            }

            _windowSum += rtt;
            _windowCount++;
            if (_windowStart == 0)
            {
                _windowStart = now;
            }

            if (_windowCount < WindowAnswers && time.GetElapsedTime(_windowStart, now) < Window)
            {
                return;
            }

            Update(_windowSum / _windowCount);
            _windowSum = 0;
            _windowCount = 0;
            _windowStart = now;
            Volatile.Write(ref _windowMostInflight, Volatile.Read(ref _inflight));
        }
    }

    private void Update(double shortRtt)
    {
        _baseline = _baseline == 0 || shortRtt < _baseline ? shortRtt : _baseline + ((shortRtt - _baseline) / 200);
        var gradient = Math.Clamp(((2 * _baseline) + allowance.TotalMilliseconds) / shortRtt, 0.5, 1.0);
        var limit = _limit;
        if (gradient >= 1.0 && _windowMostInflight < limit / 2)
        {
            // The limit is not what holds requests back: growing it would measure nothing.
            return;
        }

        var next = (limit * gradient) + Math.Sqrt(limit);
        next = (limit * 0.8) + (next * 0.2);
        Volatile.Write(ref _limit, Math.Clamp(next, MinLimit, max));
    }
}
