using System.Globalization;
using Microsoft.Extensions.Primitives;

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
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var total = time.GetElapsedTime(feature.StartTimestamp).TotalMilliseconds;
        var hold = TicksToMs(time, feature.HoldTicks);
        var own = Math.Max(0, total - hold - TicksToMs(time, feature.UpstreamTicks));
        var headers = context.Response.Headers;
        var replica = headers[HeaderName];
        var value = hold > 0
            ? string.Create(CultureInfo.InvariantCulture, $"gateway;dur={own:0.###}, cold;dur={hold:0.###}")
            : string.Create(CultureInfo.InvariantCulture, $"gateway;dur={own:0.###}");
        headers[HeaderName] = StringValues.IsNullOrEmpty(replica) ? value : value + ", " + string.Join(", ", replica.ToArray());
        return Task.CompletedTask;
    };

    public Task InvokeAsync(HttpContext context)
    {
        context.Features.Set(new GatewayRequestFeature(time.GetTimestamp()));
        context.Response.OnStarting(WriteHeader, context);
        return next(context);
    }

    private static double TicksToMs(TimeProvider time, long ticks) => ticks * 1000.0 / time.TimestampFrequency;
}
