using System.Collections.Concurrent;
using BenchPlatform.Gateway.Options;
using BenchPlatform.Gateway.Telemetry;
using BenchPlatform.Gateway.Validation;
using BenchPlatform.Protocol.Problems;
using Microsoft.Extensions.Options;

namespace BenchPlatform.Gateway.Forwarding;

/// <summary>
/// Serves each model at the concurrency its replicas answer within a latency bound, and refuses the rest at once: an infer
/// request whose model already has as many requests in flight as its <see cref="AdaptiveLimit"/> allows gets 503 with
/// Retry-After before its body is read. Under overload the stack then answers what it can at about its idle
/// latency, and every other caller learns in milliseconds to come back, instead of every caller waiting in queues
/// until it times out (congestion collapse).
/// </summary>
internal sealed class AdaptiveConcurrencyMiddleware(
    RequestDelegate next, ConcurrencyLimits limits, GatewayMetrics metrics, TimeProvider time, IOptions<GatewayOptions> options)
{
    private readonly GatewayOptions _options = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        if (!_options.AdaptiveConcurrency || GatewayRoutes.PolicyOf(proxy.Route).Body != BodyKind.Infer
            || context.Request.RouteValues["model"] is not string model)
        {
            await next(context);
            return;
        }

        var limit = limits.For(model);
        if (!limit.TryEnter())
        {
            metrics.Shed(model);
            await GatewayProblem.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ProblemTitles.Overloaded,
                $"Model '{model}' has {limit.Limit} requests in flight, as many as its replicas answer within twice their idle latency " +
                $"plus {_options.LatencyAllowance.TotalMilliseconds:0} ms (the gateway's adaptive concurrency limit, Gateway:AdaptiveConcurrency and " +
                $"Gateway:LatencyAllowance); retry after {_options.RetryAfterSeconds} s.",
                retryAfterSeconds: _options.RetryAfterSeconds);
            return;
        }

        var started = time.GetTimestamp();
        var status = 0;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            // The latency the replicas caused: time held for a cold cluster is not theirs.
            var held = GatewayRequestFeature.Of(context).HoldTicks;
            var latency = time.GetElapsedTime(started, time.GetTimestamp() - held);
            limit.Exit(status == StatusCodes.Status200OK ? latency.TotalMilliseconds : null,
                refusedDownstream: status == StatusCodes.Status503ServiceUnavailable);
        }
    }
}

/// <summary>The adaptive concurrency limit of each model the gateway has forwarded infer requests for.</summary>
internal sealed class ConcurrencyLimits(TimeProvider time, IOptions<GatewayOptions> options)
{
    // Model names come from request paths: past this many, the rest share one limit rather than grow the table.
    private const int MostModels = 4096;
    private const string Others = "*";

    private readonly ConcurrentDictionary<string, AdaptiveLimit> _limits = new(StringComparer.Ordinal);

    public AdaptiveLimit For(string model) =>
        _limits.TryGetValue(model, out var limit) ? limit
        : _limits.GetOrAdd(_limits.Count < MostModels ? model : Others, _ => new AdaptiveLimit(time, options.Value.LatencyAllowance));

    public IEnumerable<KeyValuePair<string, AdaptiveLimit>> All => _limits;
}
