using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using BenchPlatform.Gateway.Forwarding;
using BenchPlatform.Gateway.Options;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Model;

namespace BenchPlatform.Gateway.Auth;

/// <summary>
/// API-key auth for <c>/v1</c> and <c>/v2</c> (on only when keys are configured): <c>Authorization: Bearer</c>
/// → 401 without a known key, 403 when a non-admin key calls an admin route. Keys are looked up by their
/// SHA-256, so the comparison does not leak the secret through timing.
/// </summary>
internal sealed class ApiKeyMiddleware
{
    private readonly RequestDelegate _next;
    private readonly FrozenDictionary<string, ApiCaller> _callers;

    public ApiKeyMiddleware(RequestDelegate next, IOptions<GatewayOptions> options)
    {
        _next = next;
        var keys = options.Value.ApiKeys;
        var callers = new Dictionary<string, ApiCaller>(StringComparer.Ordinal);
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            callers[Hash(key.Key)] = new ApiCaller(key.Name ?? $"key-{i}", key.Role == ApiKeyOptions.AdminRole, key.RateLimitPerSecond);
        }

        _callers = callers.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments("/v1") && !path.StartsWithSegments("/v2"))
        {
            return _next(context);
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || !_callers.TryGetValue(Hash(authorization.AsSpan(Scheme.Length).Trim().ToString()), out var caller))
        {
            context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
            return GatewayProblem.WriteAsync(context, StatusCodes.Status401Unauthorized, "API key required",
                authorization.Length == 0
                    ? "Send an API key in the Authorization header: 'Authorization: Bearer <key>'."
                    : "The API key is not known; check the key in 'Authorization: Bearer <key>'.");
        }

        if (!caller.IsAdmin && context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is { } route && GatewayRoutes.PolicyOf(route).Admin)
        {
            return GatewayProblem.WriteAsync(context, StatusCodes.Status403Forbidden, "Admin key required",
                $"{context.Request.Method} {path} is a management call; use a key with the admin role.");
        }

        context.Features.Set(caller);
        return _next(context);
    }

    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
