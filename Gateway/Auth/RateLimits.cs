using System.Globalization;
using System.Threading.RateLimiting;
using BenchPlatform.Gateway.Forwarding;
using BenchPlatform.Gateway.Options;
using Microsoft.Net.Http.Headers;

namespace BenchPlatform.Gateway.Auth;

/// <summary>
/// Per-key rate limits with ASP.NET Core rate limiting: a token bucket per API key (per client address when
/// auth is off) over <c>/v1</c> and <c>/v2</c>; over the limit → 429 with <c>Retry-After</c>.
/// </summary>
internal static class RateLimits
{
    public static bool AnyConfigured(GatewayOptions options) =>
        options.RateLimitPerSecond > 0 || options.ApiKeys.Exists(key => key.RateLimitPerSecond > 0);

    public static IServiceCollection AddGatewayRateLimits(this IServiceCollection services, GatewayOptions options)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var path = context.Request.Path;
                var caller = context.Features.Get<ApiCaller>();
                var rate = caller?.RateLimitPerSecond ?? options.RateLimitPerSecond;
                if (rate <= 0 || !(path.StartsWithSegments("/v1") || path.StartsWithSegments("/v2")))
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                var partition = caller?.Name ?? context.Connection.RemoteIpAddress?.ToString() ?? "anonymous";
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RateLimitBurst > 0 ? options.RateLimitBurst : rate,
                    TokensPerPeriod = rate,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = static (rejected, cancellationToken) =>
            {
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : 1;
                var context = rejected.HttpContext;
                context.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
                return new ValueTask(GatewayProblem.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Rate limit exceeded",
                    $"This key's request rate is over its limit; retry after {seconds} s.", retryAfterSeconds: seconds));
            };
        });
        return services;
    }
}
