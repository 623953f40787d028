using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BenchPlatform.ServiceDefaults;

/// <summary>
/// The per-run secret the AppHost hands every service (configuration key <c>Internal:Token</c>,
/// environment <c>Internal__Token</c>). Internal services accept a request only when it carries the
/// token in <see cref="HeaderName"/>; health endpoints stay open so orchestrators can probe them.
/// </summary>
public sealed class InternalTokenOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Internal";

    /// <summary>The header that carries the token on internal calls.</summary>
    public const string HeaderName = "X-Internal-Token";

    /// <summary>The token; when empty the check is off (a service run by hand for development).</summary>
    public string? Token { get; set; }

    /// <summary>Whether a request must carry the token (false for the gateway, whose public API has its own auth).</summary>
    public bool Required { get; set; } = true;
}

/// <summary>Registration and middleware for <see cref="InternalTokenOptions"/>.</summary>
public static class InternalToken
{
    /// <summary>Binds <see cref="InternalTokenOptions"/> from configuration.</summary>
    public static TBuilder AddInternalToken<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.Configure<InternalTokenOptions>(builder.Configuration.GetSection(InternalTokenOptions.SectionName));
        return builder;
    }

    /// <summary>Answers 401 to any request but the health endpoints that lacks the configured token.</summary>
    public static IApplicationBuilder UseInternalToken(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<InternalTokenOptions>>().Value;
        if (!options.Required || string.IsNullOrEmpty(options.Token))
        {
            return app;
        }

        var expected = Encoding.UTF8.GetBytes(options.Token);
        return app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments(Extensions.HealthEndpointPath) || path.StartsWithSegments(Extensions.AlivenessEndpointPath)
                || Matches(context.Request.Headers[InternalTokenOptions.HeaderName], expected))
            {
                await next(context);
                return;
            }

            await Results.Problem(
                title: "Missing or wrong internal token",
                detail: $"This is an internal service; call it through the gateway, which adds the {InternalTokenOptions.HeaderName} header.",
                statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
        });
    }

    /// <summary>Constant-time comparison of a presented token with the expected bytes.</summary>
    public static bool Matches(string? presented, ReadOnlySpan<byte> expected)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[256];
        var count = Encoding.UTF8.GetByteCount(presented);
        if (count > buffer.Length)
        {
            return false;
        }

        Encoding.UTF8.GetBytes(presented, buffer);
        return CryptographicOperations.FixedTimeEquals(buffer[..count], expected);
    }
}
