using BenchPlatform.Gateway.Destinations;
using BenchPlatform.Gateway.Options;
using BenchPlatform.Gateway.Telemetry;
using BenchPlatform.Protocol.Problems;
using BenchPlatform.ServiceDefaults;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace BenchPlatform.Gateway.Forwarding;

/// <summary>
/// Lets a request into its cluster. Its deadline comes from the caller's <c>Request-Timeout</c> header or
/// <see cref="GatewayOptions.DefaultDeadline"/> (what is left of it is forwarded to the replica). When an autoscaled cluster has no ready replica the request is held
/// (bounded by <see cref="GatewayOptions.HoldTimeout"/> and by its deadline) while the AppHost is told of the demand,
/// and goes on as soon as one is in rotation; on the hold timeout, or when every ready replica is unhealthy, 503 with
/// Retry-After; when its deadline passes first, 504.
/// A cluster an operator scaled to zero (max 0) is refused at once with 503 and Retry-After, not held.
/// Counts requests in flight and waiting per cluster for the load signal.
/// </summary>
internal sealed partial class ClusterAdmissionMiddleware(
    RequestDelegate next, DestinationRegistry registry, DemandSignal demand, GatewayMetrics metrics,
    TimeProvider time, IOptions<GatewayOptions> options, ILogger<ClusterAdmissionMiddleware> logger)
{
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(250);
    private readonly GatewayOptions _options = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        var feature = GatewayRequestFeature.Of(context);
        var timeout = _options.DefaultDeadline;
        if (context.Request.Headers.TryGetValue(RequestDeadline.HeaderName, out var values)
            && (values.Count != 1 || !RequestDeadline.TryParse(values[0], out timeout)))
        {
            await GatewayProblem.WriteAsync(context, StatusCodes.Status400BadRequest, ProblemTitles.InvalidRequestTimeout, RequestDeadline.Describe(values),
                field: RequestDeadline.HeaderName);
            return;
        }

        feature.Deadline = feature.StartTimestamp + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        var proxy = context.GetReverseProxyFeature();
        var clusterState = proxy.Route.Cluster!;
        if (!registry.TryGet(clusterState.ClusterId, out var cluster))
        {
            await next(context);
            return;
        }

        if (proxy.AvailableDestinations.Count == 0)
        {
            if (cluster.ScaledToZero)
            {
                await WriteScaledToZeroAsync(context, cluster);
                return;
            }

            if (!cluster.HoldsWhenCold || AllReadyUnhealthy(clusterState))
            {
                await GatewayProblem.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ProblemTitles.NoReplicaAvailable,
                    $"No replica of '{cluster.Name}' is healthy right now; retry after {_options.RetryAfterSeconds} s.",
                    retryAfterSeconds: _options.RetryAfterSeconds);
                return;
            }

            if (!await HoldAsync(context, cluster, clusterState))
            {
                if (cluster.ScaledToZero && !context.RequestAborted.IsCancellationRequested)
                {
                    await WriteScaledToZeroAsync(context, cluster);
                }
                else if (!context.RequestAborted.IsCancellationRequested && time.GetTimestamp() >= feature.Deadline)
                {
                    await GatewayProblem.WriteAsync(context, StatusCodes.Status504GatewayTimeout, ProblemTitles.DeadlineExceeded,
                        $"No replica of '{cluster.Name}' became ready within the request's {timeout.TotalSeconds:0.###} s " +
                        $"({RequestDeadline.HeaderName}, default Gateway:DefaultDeadline); the request was not run.");
                }
                else if (!context.RequestAborted.IsCancellationRequested)
                {
                    await GatewayProblem.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ProblemTitles.ColdStartTimedOut,
                        $"No replica of '{cluster.Name}' became ready within {_options.HoldTimeout.TotalSeconds:0.#} s; retry after {_options.RetryAfterSeconds} s.",
                        retryAfterSeconds: _options.RetryAfterSeconds);
                }

                return;
            }

            proxy.AvailableDestinations = clusterState.DestinationsState.AvailableDestinations;
        }

        cluster.EnterInflight();
        try
        {
            await next(context);
        }
        finally
        {
            cluster.ExitInflight();
        }
    }

    /// <summary>Waits until the cluster has a destination in rotation; false on timeout or when the caller left.</summary>
    private async Task<bool> HoldAsync(HttpContext context, ClusterEntry cluster, ClusterState clusterState)
    {
        var feature = GatewayRequestFeature.Of(context);
        var started = time.GetTimestamp();
        cluster.EnterWaiting();
        demand.Signal(cluster.Name);
        LogHeld(logger, cluster.Name);
        var served = false;
        try
        {
            while (true)
            {
                var changed = cluster.Changed;
                if (clusterState.DestinationsState.AvailableDestinations.Count > 0)
                {
                    served = true;
                    return true;
                }

                if (cluster.ScaledToZero)
                {
                    // An operator set max 0 while this request waited: no replica is coming.
                    return false;
                }

                var remaining = _options.HoldTimeout - time.GetElapsedTime(started);
                var untilDeadline = time.GetElapsedTime(time.GetTimestamp(), feature.Deadline);
                remaining = untilDeadline < remaining ? untilDeadline : remaining;
                if (remaining <= TimeSpan.Zero)
                {
                    return false;
                }

                try
                {
                    await changed.WaitAsync(remaining < RecheckInterval ? remaining : RecheckInterval, time, context.RequestAborted);
                }
                catch (TimeoutException)
                {
                    // Re-check: a replica's health may have recovered without a configuration change.
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
        }
        finally
        {
            cluster.ExitWaiting();
            var held = time.GetTimestamp() - started;
            feature.HoldTicks = held;
            var ms = held * 1000.0 / time.TimestampFrequency;
            metrics.RecordHold(cluster.Name, ms, served);
            LogReleased(logger, cluster.Name, ms, served);
        }
    }

    private Task WriteScaledToZeroAsync(HttpContext context, ClusterEntry cluster) =>
        GatewayProblem.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ProblemTitles.ScaledToZero,
            $"'{cluster.Name}' is scaled to zero by an operator (max 0), so no replica will start; retry after {_options.RetryAfterSeconds} s, " +
            $"or raise max with PUT /v1/scale/{cluster.Name} {{\"min\":0,\"max\":4}}.",
            retryAfterSeconds: _options.RetryAfterSeconds);

    /// <summary>True when replicas are marked ready but health checks took every one out (down, not cold).</summary>
    private static bool AllReadyUnhealthy(ClusterState clusterState)
    {
        var ready = 0;
        foreach (var destination in clusterState.Destinations.Values)
        {
            if (destination.Model.Config.Metadata?.GetValueOrDefault(ReadyDestinationsPolicy.StateMetadataKey) == nameof(DestinationLifecycle.Ready))
            {
                ready++;
            }
        }

        return ready > 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Holding a request: cluster {Cluster} has no ready replica")]
    private static partial void LogHeld(ILogger logger, string cluster);

    [LoggerMessage(Level = LogLevel.Information, Message = "Held request on {Cluster} released after {HeldMs} ms (served: {Served})")]
    private static partial void LogReleased(ILogger logger, string cluster, double heldMs, bool served);
}
