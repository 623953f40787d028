namespace BenchPlatform.Gateway.Forwarding;

/// <summary>
/// Per-request state the gateway's middleware and transforms share: timestamps for <c>Server-Timing</c>,
/// the replayable body, and whether a replica's 502/503 should be held back for a retry.
/// </summary>
internal sealed class GatewayRequestFeature(long startTimestamp, TimeProvider time)
{
    public long StartTimestamp { get; } = startTimestamp;

    /// <summary>The clock the timestamps come from.</summary>
    public TimeProvider Time { get; } = time;

    /// <summary>The request's feature, set by <see cref="ServerTimingMiddleware"/> for every request.</summary>
    public static GatewayRequestFeature Of(HttpContext context) => context.Features.Get<GatewayRequestFeature>()!;

    /// <summary>When the caller stops waiting (a TimeProvider timestamp): from its Request-Timeout or the default deadline.</summary>
    public long Deadline { get; set; }

    /// <summary>Ticks (TimeProvider timestamp units) spent held for a cold cluster.</summary>
    public long HoldTicks { get; set; }

    /// <summary>Ticks spent waiting on replicas (request sent → response headers), over all attempts.</summary>
    public long UpstreamTicks { get; set; }

    /// <summary>When the current attempt was sent to a replica.</summary>
    public long UpstreamStart { get; set; }

    /// <summary>Set while another replica is left to try: a 502/503 answer is then not passed on but retried.</summary>
    public bool RetryArmed { get; set; }

    /// <summary>Set by the response transform when it held back a 502/503 for a retry.</summary>
    public bool RetryRequested { get; set; }

    /// <summary>The validated body, replayed on a retry (null when the body was streamed or empty).</summary>
    public MemoryStream? BufferedBody { get; set; }
}
