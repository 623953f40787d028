namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// One request as the generator saw it. Times are <see cref="System.Diagnostics.Stopwatch"/> ticks since the
/// run started; server phases are milliseconds, <see cref="float.NaN"/> when the server did not name them.
/// </summary>
public struct RequestRecord
{
    public long Sequence;
    public long IntendedTicks;
    public long SentTicks;
    public long FirstByteTicks;
    public long EndTicks;
    public long FirstTokenTicks;
    public int Status;
    public int Tokens;
    public RequestClass Class;
    public RequestOutcome Outcome;
    public CacheState Cache;
    public bool Warmup;
    public float GatewayMs;
    public float QueueMs;
    public float ColdMs;
    public float InferMs;
    public float LoadMs;
    public ulong TraceHigh;
    public ulong TraceLow;

    /// <summary>Latency from the intended start (coordinated-omission corrected), in ticks.</summary>
    public readonly long CorrectedTicks => EndTicks - IntendedTicks;

    /// <summary>Latency from the moment the request was actually sent, in ticks.</summary>
    public readonly long UncorrectedTicks => EndTicks - SentTicks;

    /// <summary>How late the generator sent the request, in ticks.</summary>
    public readonly long LagTicks => SentTicks - IntendedTicks;
}
