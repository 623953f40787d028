namespace BenchPlatform.LoadTests.Engine;

/// <summary>A constant arrival rate: request <c>i</c> is due at <c>i / rate</c> seconds.</summary>
public sealed class ConstantArrival : IArrivalSchedule
{
    private readonly double _rate;

    public ConstantArrival(double rate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        _rate = rate;
    }

    public double OffsetSeconds(long sequence) => sequence / _rate;

    public double RateAt(double seconds) => _rate;
}
