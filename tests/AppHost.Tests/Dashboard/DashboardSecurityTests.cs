using System.Net;
using BenchPlatform.AppHost.Dashboard;
using BenchPlatform.AppHost.Dashboard.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace BenchPlatform.AppHost.Tests.Dashboard;

public sealed class DashboardSecurityTests
{
    private readonly DashboardSecurity _security = new(Options.Create(new DashboardOptions { Token = "the-token" }));

    private static DefaultHttpContext Request(string host = "127.0.0.1:18888", IPAddress? remote = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(host);
        context.Connection.RemoteIpAddress = remote ?? IPAddress.Loopback;
        return context;
    }

    [Fact]
    public void IsSignedIn_SessionCookie_True()
    {
        var context = Request();
        context.Request.Headers.Cookie = $"{DashboardSecurity.CookieName}={_security.CookieValue}";

        Assert.True(_security.IsSignedIn(context.Request));
    }

    [Fact]
    public void IsSignedIn_BearerToken_True()
    {
        var context = Request();
        context.Request.Headers.Authorization = "Bearer the-token";

        Assert.True(_security.IsSignedIn(context.Request));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong")]
    [InlineData("the-token")]
    public void IsSignedIn_NoOrWrongCredentials_False(string? authorization)
    {
        var context = Request();
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        context.Request.Headers.Cookie = $"{DashboardSecurity.CookieName}=the-token";

        Assert.False(_security.IsSignedIn(context.Request));
    }

    [Fact]
    public void CookieValue_IsNotTheToken()
    {
        Assert.NotEqual(_security.Token, _security.CookieValue);
        Assert.DoesNotContain(_security.Token, _security.CookieValue, StringComparison.Ordinal);
    }

    [Fact]
    public void Token_NotConfigured_IsRandomPerInstance()
    {
        var a = new DashboardSecurity(Options.Create(new DashboardOptions()));
        var b = new DashboardSecurity(Options.Create(new DashboardOptions()));

        Assert.Equal(32, a.Token.Length);
        Assert.NotEqual(a.Token, b.Token);
    }

    [Theory]
    [InlineData("127.0.0.1:18888", true)]
    [InlineData("localhost:18888", true)]
    [InlineData("[::1]:18888", true)]
    [InlineData("evil.example:18888", false)]
    public void IsLocal_ByHostName(string host, bool expected)
    {
        Assert.Equal(expected, DashboardSecurity.IsLocal(Request(host)));
    }

    [Fact]
    public void IsLocal_RemoteAddress_False()
    {
        Assert.False(DashboardSecurity.IsLocal(Request(remote: IPAddress.Parse("192.168.1.20"))));
    }

    [Theory]
    [InlineData("http://127.0.0.1:18888", null, true)]
    [InlineData("http://evil.example", null, false)]
    [InlineData(null, "same-origin", true)]
    [InlineData(null, "cross-site", false)]
    [InlineData(null, null, false)]
    public void IsSameOrigin_ByOriginThenFetchSite(string? origin, string? fetchSite, bool expected)
    {
        var context = Request();
        if (origin is not null)
        {
            context.Request.Headers.Origin = origin;
        }

        if (fetchSite is not null)
        {
            context.Request.Headers["Sec-Fetch-Site"] = fetchSite;
        }

        Assert.Equal(expected, DashboardSecurity.IsSameOrigin(context.Request));
    }
}
