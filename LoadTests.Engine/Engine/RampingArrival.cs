namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// An arrival rate that climbs linearly from <c>from</c> to <c>to</c> over <c>over</c> seconds and then holds;
/// request <c>i</c> is due when the integral of the rate reaches <c>i</c>.
/// </summary>
public sealed class RampingArrival : IArrivalSchedule
{
    private readonly double _from;
    private readonly double _to;
    private readonly double _over;
    private readonly double _slope;
    private readonly double _countAtEnd;

    public RampingArrival(double from, double to, double over)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(from);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(to);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(over);
        _from = from;
        _to = to;
        _over = over;
        _slope = (to - from) / over;
        _countAtEnd = (from * over) + (_slope * over * over / 2);
    }

    public double OffsetSeconds(long sequence)
    {
        double n = sequence;
        if (n >= _countAtEnd)
        {
            return _over + ((n - _countAtEnd) / _to);
        }

        if (Math.Abs(_slope) < 1e-12)
        {
            return n / _from;
        }

        // n = from·t + slope·t²/2, solved for t.
        return (-_from + Math.Sqrt((_from * _from) + (2 * _slope * n))) / _slope;
    }

    public double RateAt(double seconds) => seconds >= _over ? _to : _from + (_slope * seconds);
}
