using System.Security.Cryptography;
using System.Text;
using BenchPlatform.Gateway.Forwarding;
using BenchPlatform.Gateway.Options;
using BenchPlatform.Protocol.Problems;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Model;

namespace BenchPlatform.Gateway.Auth;

/// <summary>
/// API-key auth for <c>/v1</c> and <c>/v2</c> (on only when keys are configured): <c>Authorization: Bearer</c>
/// → 401 without a known key, 403 when a non-admin key calls an admin route. The presented key is compared
/// with every configured key in constant time (no early exit on the first differing byte or the first match),
/// so the comparison does not leak a secret through timing; no hashing on the hot path.
/// </summary>
internal sealed class ApiKeyMiddleware
{
    private const int MaxKeyBytes = 1024;

    private readonly RequestDelegate _next;
    private readonly (byte[] Key, ApiCaller Caller)[] _callers;

    public ApiKeyMiddleware(RequestDelegate next, IOptions<GatewayOptions> options)
    {
        _next = next;
        var keys = options.Value.ApiKeys;
        _callers = new (byte[], ApiCaller)[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            var name = key.Name ?? $"key-{i}";
            _callers[i] = (Encoding.UTF8.GetBytes(key.Key), new ApiCaller(
                name, key.Role == ApiKeyOptions.AdminRole,
                RateLimits.Partition(name, key.RateLimitPerSecond ?? options.Value.RateLimitPerSecond, options.Value.RateLimitBurst)));
        }
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
            || !TryFind(authorization.AsSpan(Scheme.Length).Trim(), out var caller))
        {
            context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
            return GatewayProblem.WriteAsync(context, StatusCodes.Status401Unauthorized, ProblemTitles.ApiKeyRequired,
                authorization.Length == 0
                    ? "Send an API key in the Authorization header: 'Authorization: Bearer <key>'."
                    : "The API key is not known; check the key in 'Authorization: Bearer <key>'.");
        }

        if (!caller.IsAdmin && context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is { } route && GatewayRoutes.PolicyOf(route).Admin)
        {
            return GatewayProblem.WriteAsync(context, StatusCodes.Status403Forbidden, ProblemTitles.AdminKeyRequired,
                $"{context.Request.Method} {path} is a management call; use a key with the admin role.");
        }

        context.Features.Set(caller);
        return _next(context);
    }

    /// <summary>Finds the caller whose key equals <paramref name="key"/>, comparing with every key in constant time.</summary>
    private bool TryFind(ReadOnlySpan<char> key, out ApiCaller caller)
    {
        caller = null!;
        Span<byte> utf8 = stackalloc byte[MaxKeyBytes];
        if (!Encoding.UTF8.TryGetBytes(key, utf8, out var length))
        {
            return false;
        }

        var presented = utf8[..length];
        var found = false;
        foreach (var (expected, candidate) in _callers)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, expected))
            {
                caller = candidate;
                found = true;
            }
        }

        return found;
    }
}
