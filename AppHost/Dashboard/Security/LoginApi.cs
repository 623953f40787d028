using Microsoft.AspNetCore.Http.HttpResults;

namespace BenchPlatform.AppHost.Dashboard.Security;

/// <summary>
/// <c>GET /login?t={token}</c>: the URL the AppHost prints at start. The right token sets the session cookie
/// (HttpOnly, SameSite=Strict) and redirects to the dashboard; anything else is 401.
/// </summary>
internal static class LoginApi
{
    public static IEndpointRouteBuilder MapLogin(this IEndpointRouteBuilder app)
    {
        app.MapGet("/login", Login).AddEndpointFilter(DashboardFilters.RequireLocalAsync);
        return app;
    }

    private static Results<RedirectHttpResult, ContentHttpResult> Login(string? t, HttpContext context, DashboardSecurity security)
    {
        if (!security.IsToken(t))
        {
            return DashboardFilters.LoginPage(string.IsNullOrEmpty(t)
                ? "Open the login URL the AppHost printed at start (it ends in /login?t=…)."
                : "That token is not this run's; the AppHost prints a new one each time it starts.");
        }

        context.Response.Cookies.Append(DashboardSecurity.CookieName, security.CookieValue, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
        });
        return TypedResults.Redirect("/");
    }
}
