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

    /// <summary>A record for an iteration due at <paramref name="intendedTicks"/>, with a fresh trace id and no phases yet.</summary>
    public static RequestRecord Create(long sequence, long intendedTicks, bool warmup) => new()
    {
        Sequence = sequence,
        IntendedTicks = intendedTicks,
        Warmup = warmup,
        GatewayMs = float.NaN,
        QueueMs = float.NaN,
        ColdMs = float.NaN,
        InferMs = float.NaN,
        LoadMs = float.NaN,
        TraceHigh = (ulong)Random.Shared.NextInt64(),
        TraceLow = (ulong)Random.Shared.NextInt64(),
    };

    /// <summary>Adds a finished step to its iteration: server phases summed, cold or cache hit kept, tokens added, the last status.</summary>
    public void MergeStep(in RequestRecord step)
    {
        GatewayMs = Sum(GatewayMs, step.GatewayMs);
        QueueMs = Sum(QueueMs, step.QueueMs);
        ColdMs = Sum(ColdMs, step.ColdMs);
        InferMs = Sum(InferMs, step.InferMs);
        LoadMs = Sum(LoadMs, step.LoadMs);
        if (step.Cache == CacheState.Hit || Cache == CacheState.None)
        {
            Cache = step.Cache;
        }

        Tokens += step.Tokens;
        if (FirstTokenTicks == 0)
        {
            FirstTokenTicks = step.FirstTokenTicks;
        }

        if (FirstByteTicks == 0)
        {
            FirstByteTicks = step.FirstByteTicks;
        }

        Status = step.Status;
    }

    /// <summary>Latency from the intended start (coordinated-omission corrected), in ticks.</summary>
    public readonly long CorrectedTicks => EndTicks - IntendedTicks;

    /// <summary>Latency from the moment the request was actually sent, in ticks.</summary>
    public readonly long UncorrectedTicks => EndTicks - SentTicks;

    /// <summary>How late the generator sent the request, in ticks.</summary>
    public readonly long LagTicks => SentTicks - IntendedTicks;

    private static float Sum(float a, float b) => float.IsNaN(a) ? b : float.IsNaN(b) ? a : a + b;
}
