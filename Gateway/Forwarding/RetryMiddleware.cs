using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace BenchPlatform.Gateway.Forwarding;

/// <summary>
/// Sends a failed call once more to another ready replica. An idempotent call (GET, HEAD, infer) is retried
/// when the replica could not be reached, dropped the connection before answering, or answered 502/503;
/// any other call only when the connection was refused (its body was never read). Runs before load balancing,
/// so the second attempt is balanced over the replicas left.
/// </summary>
internal sealed partial class RetryMiddleware(RequestDelegate next, ILogger<RetryMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var request = context.Request;
        var feature = GatewayRequestFeature.Of(context);
        var replayable = feature.BufferedBody is not null || (request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any());
        if (proxy.AvailableDestinations.Count < 2 || !replayable)
        {
            await next(context);
            return;
        }

        // Load balancing narrows AvailableDestinations to the one it picked; keep the full set for the retry.
        var available = proxy.AvailableDestinations;
        var idempotent = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || GatewayRoutes.PolicyOf(proxy.Route).Idempotent;
        feature.RetryArmed = idempotent;
        await next(context);
        feature.RetryArmed = false;

        if (context.Response.HasStarted)
        {
            return;
        }

        var error = context.Features.Get<IForwarderErrorFeature>();
        var retry = feature.RetryRequested
            || (error is not null && (idempotent ? error.Error == ForwarderError.Request : ForwarderErrors.IsConnectFailure(error)));
        var failed = proxy.ProxiedDestination;
        if (!retry || failed is null)
        {
            return;
        }

        var others = new List<DestinationState>(available.Count);
        foreach (var destination in available)
        {
            if (!ReferenceEquals(destination, failed))
            {
                others.Add(destination);
            }
        }

        LogRetrying(logger, request.Method, request.Path, failed.DestinationId, error?.Error.ToString() ?? context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.Clear();
        feature.RetryRequested = false;
        if (feature.BufferedBody is { } body)
        {
            body.Position = 0;
        }

        proxy.AvailableDestinations = others;
        await next(context);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrying {Method} {Path} on another replica after {Destination} failed: {Failure}")]
    private static partial void LogRetrying(ILogger logger, string method, PathString path, string destination, string failure);
}
