using HdrHistogram;

namespace BenchPlatform.LoadTests.Engine;

/// <summary>Counters the progress display reads while a run goes on; written with <see cref="Interlocked"/>.</summary>
public sealed class LiveCounters
{
    private long _sent;
    private long _completed;
    private long _errors;
    private long _dropped;
    private long _late;
    private long _inFlight;

    /// <summary>Corrected latency in microseconds since the last interval was taken.</summary>
    public Recorder Interval { get; } = new(1, 3_600_000_000, 3, (id, low, high, digits) => new LongHistogram(id, low, high, digits));

    public long Sent => Interlocked.Read(ref _sent);

    public long Completed => Interlocked.Read(ref _completed);

    public long Errors => Interlocked.Read(ref _errors);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Late => Interlocked.Read(ref _late);

    public long InFlight => Interlocked.Read(ref _inFlight);

    internal void OnSent()
    {
        Interlocked.Increment(ref _sent);
        Interlocked.Increment(ref _inFlight);
    }

    internal void OnLate() => Interlocked.Increment(ref _late);

    internal void OnCompleted(bool error, long correctedMicros)
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _completed);
        if (error)
        {
            Interlocked.Increment(ref _errors);
        }

        Interval.RecordValue(Math.Clamp(correctedMicros, 1, 3_600_000_000));
    }

    internal void OnDropped(long count) => Interlocked.Add(ref _dropped, count);
}
