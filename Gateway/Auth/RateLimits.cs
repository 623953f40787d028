using System.Globalization;
using System.Threading.RateLimiting;
using BenchPlatform.Gateway.Forwarding;
using BenchPlatform.Gateway.Options;
using BenchPlatform.Protocol.Problems;
using Microsoft.Net.Http.Headers;

namespace BenchPlatform.Gateway.Auth;

/// <summary>
/// Per-key rate limits with ASP.NET Core rate limiting: a token bucket per API key (per client address when
/// auth is off) over <c>/v1</c> and <c>/v2</c>; over the limit → 429 with <c>Retry-After</c>.
/// </summary>
internal static class RateLimits
{
    private static readonly RateLimitPartition<string> Unlimited = RateLimitPartition.GetNoLimiter("unlimited");

    /// <summary>The token-bucket settings for a rate (built once, not per request); null when unlimited.</summary>
    public static Func<string, TokenBucketRateLimiterOptions>? PartitionFactory(int ratePerSecond, int burst)
    {
        if (ratePerSecond <= 0)
        {
            return null;
        }

        var settings = new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst > 0 ? burst : ratePerSecond,
            TokensPerPeriod = ratePerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        return _ => settings;
    }

    /// <summary>
    /// A key's partition, built once when the key is loaded: per request the limiter then only looks it up
    /// (building it per request would allocate a closure each time). Null when the key is unlimited.
    /// </summary>
    public static RateLimitPartition<string>? Partition(string name, int ratePerSecond, int burst) =>
        PartitionFactory(ratePerSecond, burst) is { } factory ? RateLimitPartition.GetTokenBucketLimiter(name, factory) : null;

    public static bool AnyConfigured(GatewayOptions options) =>
        options.RateLimitPerSecond > 0 || options.ApiKeys.Exists(key => key.RateLimitPerSecond > 0);

    public static IServiceCollection AddGatewayRateLimits(this IServiceCollection services, GatewayOptions options)
    {
        var anonymous = PartitionFactory(options.RateLimitPerSecond, options.RateLimitBurst);
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var path = context.Request.Path;
                if (!(path.StartsWithSegments("/v1") || path.StartsWithSegments("/v2")))
                {
                    return Unlimited;
                }

                if (context.Features.Get<ApiCaller>() is { } caller)
                {
                    return caller.Limits ?? Unlimited;
                }

                return anonymous is null
                    ? Unlimited
                    : RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "anonymous", anonymous);
            });
            limiter.OnRejected = static (rejected, cancellationToken) =>
            {
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : 1;
                var context = rejected.HttpContext;
                context.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
                return new ValueTask(GatewayProblem.WriteAsync(context, StatusCodes.Status429TooManyRequests, ProblemTitles.RateLimitExceeded,
                    $"This key's request rate is over its limit; retry after {seconds} s.", retryAfterSeconds: seconds));
            };
        });
        return services;
    }
}
