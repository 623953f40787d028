using BenchPlatform.Gateway.Options;
using BenchPlatform.Protocol.Problems;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace BenchPlatform.Gateway.Forwarding;

/// <summary>
/// Refuses a request target (path and query) over <see cref="GatewayOptions.MaxRequestTargetBytes"/> with a 414
/// problem+json. Kestrel's request-line cap sits above it, so such requests reach this check instead of Kestrel's
/// bodiless 414; the replicas behind keep Kestrel's default cap and never see a longer target.
/// </summary>
internal sealed class RequestTargetLimitMiddleware(RequestDelegate next, IOptions<GatewayOptions> options)
{
    private readonly int _limit = options.Value.MaxRequestTargetBytes;

    public Task InvokeAsync(HttpContext context)
    {
        var length = context.Features.Get<IHttpRequestFeature>()?.RawTarget.Length
            ?? context.Request.Path.Value!.Length + context.Request.QueryString.Value!.Length;
        if (length <= _limit)
        {
            return next(context);
        }

        return GatewayProblem.WriteAsync(context, StatusCodes.Status414UriTooLong, ProblemTitles.RequestTargetTooLong,
            $"The path and query are {length} characters; the gateway accepts at most {_limit} (Gateway:MaxRequestTargetBytes). Send long values in the body.",
            "path");
    }
}
