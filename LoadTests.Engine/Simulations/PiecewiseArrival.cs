namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// Chained open-model phases as one arrival schedule: each segment's rate moves linearly from its start rate to its end
/// rate; iteration <c>i</c> is due when the integral of the rate reaches <c>i</c>. The dispatcher asks in increasing
/// order, so the current segment is remembered (no search, no allocation).
/// </summary>
internal sealed class PiecewiseArrival : IArrivalSchedule
{
    private readonly Segment[] _segments;
    private int _current;

    public PiecewiseArrival(IReadOnlyList<(double From, double To, double Seconds)> segments)
    {
        ArgumentOutOfRangeException.ThrowIfZero(segments.Count);
        _segments = new Segment[segments.Count];
        double start = 0, count = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            var (from, to, seconds) = segments[i];
            var slope = (to - from) / seconds;
            _segments[i] = new Segment(start, count, from, to, seconds, slope);
            start += seconds;
            count += (from * seconds) + (slope * seconds * seconds / 2);
        }

        TotalSeconds = start;
    }

    /// <summary>The schedule's length.</summary>
    public double TotalSeconds { get; }

    public double OffsetSeconds(long sequence)
    {
        double n = sequence;
        if (n < _segments[_current].StartCount)
        {
            _current = 0;
        }

        while (_current < _segments.Length - 1 && n >= _segments[_current + 1].StartCount)
        {
            _current++;
        }

        var s = _segments[_current];
        var local = n - s.StartCount;
        double t;
        if (Math.Abs(s.Slope) < 1e-12)
        {
            t = s.From > 0 ? local / s.From : double.PositiveInfinity;
        }
        else
        {
            // local = from·t + slope·t²/2, solved for t (the root that is ≥ 0).
            var disc = (s.From * s.From) + (2 * s.Slope * local);
            t = disc < 0 ? double.PositiveInfinity : (-s.From + Math.Sqrt(disc)) / s.Slope;
        }

        // Past the last segment's end the schedule has nothing more: the dispatcher stops at its end.
        return t > s.Seconds && _current == _segments.Length - 1 ? double.PositiveInfinity : s.Start + Math.Min(t, s.Seconds);
    }

    public double RateAt(double seconds)
    {
        foreach (var s in _segments)
        {
            if (seconds < s.Start + s.Seconds)
            {
                return s.From + (s.Slope * Math.Max(0, seconds - s.Start));
            }
        }

        return _segments[^1].To;
    }

    private readonly record struct Segment(double Start, double StartCount, double From, double To, double Seconds, double Slope);
}
