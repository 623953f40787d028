using System.Net.Sockets;
using BenchPlatform.Gateway.Options;
using BenchPlatform.Protocol.Problems;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace BenchPlatform.Gateway.Forwarding;

/// <summary>
/// Turns a forwarding failure that happened before the response started into problem+json: a replica that
/// could not be reached, or that dropped the connection before answering (it crashed or was restarted) → 503 with
/// Retry-After, one that went silent → 504, any other broken exchange → 502, a client whose body ended early → 400.
/// </summary>
internal sealed partial class ForwarderErrors(RequestDelegate next, TimeProvider time, IOptions<GatewayOptions> options, ILogger<ForwarderErrors> logger)
{
    private readonly GatewayOptions _options = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);

        if (context.Features.Get<IForwarderErrorFeature>() is not { } error)
        {
            return;
        }

        var feature = GatewayRequestFeature.Of(context);
        if (feature.UpstreamStart != 0)
        {
            feature.UpstreamTicks += time.GetTimestamp() - feature.UpstreamStart;
            feature.UpstreamStart = 0;
        }

        LogForwardingFailed(logger, context.Request.Method, context.Request.Path, error.Error, error.Exception?.Message);
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        var retryAfter = _options.RetryAfterSeconds;
        var task = error.Error switch
        {
            ForwarderError.NoAvailableDestinations => GatewayProblem.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                ProblemTitles.NoReplicaAvailable, $"No replica is in rotation; retry after {retryAfter} s.", retryAfterSeconds: retryAfter),
            ForwarderError.Request when IsConnectFailure(error) => GatewayProblem.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                ProblemTitles.ReplicaUnreachable, $"No replica accepted the connection; retry after {retryAfter} s.", retryAfterSeconds: retryAfter),
            ForwarderError.Request => GatewayProblem.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                ProblemTitles.ReplicaFailed, $"The replica dropped the connection before answering (it may have crashed and is being replaced); retry after {retryAfter} s.",
                retryAfterSeconds: retryAfter),
            ForwarderError.RequestTimedOut => GatewayProblem.WriteAsync(context, StatusCodes.Status504GatewayTimeout,
                ProblemTitles.ReplicaTimedOut, $"The replica sent nothing for {_options.RequestTimeout.TotalSeconds:0.###} s (Gateway:RequestTimeout)."),
            ForwarderError.RequestBodyClient => GatewayProblem.WriteAsync(context, StatusCodes.Status400BadRequest,
                ProblemTitles.RequestBodyIncomplete, "The request body ended before its declared length; send the whole body.", "body"),
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled => Task.CompletedTask,
            _ => GatewayProblem.WriteAsync(context, StatusCodes.Status502BadGateway,
                ProblemTitles.ReplicaFailed, $"The replica broke the exchange ({error.Error}) before answering; retry the call."),
        };
        await task;
    }

    /// <summary>True when the replica refused or never accepted the connection, so it read nothing of the request.</summary>
    public static bool IsConnectFailure(IForwarderErrorFeature error) =>
        error.Error == ForwarderError.Request
        && (error.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }
            || error.Exception?.InnerException is SocketException);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding {Method} {Path} failed: {Error} {Reason}")]
    private static partial void LogForwardingFailed(ILogger logger, string method, PathString path, ForwarderError error, string? reason);
}
