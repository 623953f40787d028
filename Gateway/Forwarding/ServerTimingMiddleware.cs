using System.Globalization;

namespace BenchPlatform.Gateway.Forwarding;

/// <summary>
/// Starts the request's clock and, as the response starts, writes <c>Server-Timing</c>:
/// <c>gateway;dur=</c> (time spent in the gateway itself: not held, not waiting on a replica),
/// <c>cold;dur=</c> when the request was held, then what the replica reported.
/// </summary>
internal sealed class ServerTimingMiddleware(RequestDelegate next, TimeProvider time)
{
    public const string HeaderName = "Server-Timing";

    private static readonly Func<object, Task> WriteHeader = static state =>
    {
        var context = (HttpContext)state;
        var feature = GatewayRequestFeature.Of(context);
        var time = feature.Time;
        var total = time.GetElapsedTime(feature.StartTimestamp).TotalMilliseconds;
        var hold = TicksToMs(time, feature.HoldTicks);
        var own = Math.Max(0, total - hold - TicksToMs(time, feature.UpstreamTicks));
        var headers = context.Response.Headers;
        var replica = headers[HeaderName];

        // Formatted on the stack: one string per response (two when the replica sent several Server-Timing lines).
        Span<char> buffer = stackalloc char[96];
        var written = 0;
        var ok = hold > 0
            ? buffer.TryWrite(CultureInfo.InvariantCulture, $"gateway;dur={own:0.###}, cold;dur={hold:0.###}", out written)
            : buffer.TryWrite(CultureInfo.InvariantCulture, $"gateway;dur={own:0.###}", out written);
        ReadOnlySpan<char> value = ok ? buffer[..written]
            : hold > 0 ? string.Create(CultureInfo.InvariantCulture, $"gateway;dur={own:0.###}, cold;dur={hold:0.###}")
            : string.Create(CultureInfo.InvariantCulture, $"gateway;dur={own:0.###}");
        headers[HeaderName] = replica.Count switch
        {
            0 => new string(value),
            1 => string.Concat(value, ", ", replica[0]),
            _ => string.Concat(value, ", ", string.Join(", ", replica.ToArray())),
        };
        return Task.CompletedTask;
    };

    public Task InvokeAsync(HttpContext context)
    {
        context.Features.Set(new GatewayRequestFeature(time.GetTimestamp(), time));
        context.Response.OnStarting(WriteHeader, context);
        return next(context);
    }

    private static double TicksToMs(TimeProvider time, long ticks) => ticks * 1000.0 / time.TimestampFrequency;
}
