using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace BenchPlatform.AppHost.Dashboard.Security;

/// <summary>
/// Who may see the dashboard: requests from loopback, addressed to a loopback host name, that carry the login
/// token (as <c>Authorization: Bearer</c>) or the cookie set once the token was presented at <c>/login?t=</c>.
/// Actions that change the stack must also come from the dashboard's own origin.
/// </summary>
public sealed class DashboardSecurity
{
    /// <summary>The session cookie's name.</summary>
    public const string CookieName = "bp_dashboard";

    private readonly byte[] _token;
    private readonly byte[] _cookie;

    /// <summary>Uses the configured token or a new random one.</summary>
    public DashboardSecurity(IOptions<DashboardOptions> options)
    {
        Token = string.IsNullOrWhiteSpace(options.Value.Token)
            ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))
            : options.Value.Token.Trim();
        _token = Encoding.UTF8.GetBytes(Token);

        // The cookie is derived from the token, not the token itself, so a leaked cookie does not reveal it.
        CookieValue = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("benchplatform-dashboard-session:" + Token)));
        _cookie = Encoding.UTF8.GetBytes(CookieValue);
    }

    /// <summary>The login token of this run.</summary>
    public string Token { get; }

    /// <summary>The session cookie's value.</summary>
    public string CookieValue { get; }

    /// <summary>Whether <paramref name="presented"/> is the login token.</summary>
    public bool IsToken(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token);

    /// <summary>Whether the request carries the session cookie or the token as a bearer token.</summary>
    public bool IsSignedIn(HttpRequest request)
    {
        if (request.Cookies.TryGetValue(CookieName, out var cookie)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(cookie), _cookie))
        {
            return true;
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.Ordinal) && IsToken(authorization["Bearer ".Length..].Trim());
    }

    /// <summary>
    /// Whether the request came over loopback and names a loopback host, so a page on another site that resolves
    /// its name to 127.0.0.1 (DNS rebinding) is not served.
    /// </summary>
    public static bool IsLocal(HttpContext context)
    {
        if (context.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote))
        {
            return false;
        }

        var host = context.Request.Host.Host;
        return host is "127.0.0.1" or "localhost" or "[::1]" or "::1";
    }

    /// <summary>Whether a state-changing request comes from the dashboard's own pages (Origin, else Sec-Fetch-Site).</summary>
    public static bool IsSameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            return string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);
        }

        return request.Headers["Sec-Fetch-Site"].ToString() == "same-origin";
    }
}
