using System.Net;

namespace BenchPlatform.AppHost.Dashboard.Security;

/// <summary>Endpoint filters every dashboard page and API passes: local only, then signed in.</summary>
internal static class DashboardFilters
{
    public static async ValueTask<object?> RequireLocalAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!DashboardSecurity.IsLocal(context.HttpContext))
        {
            return TypedResults.Problem(
                title: "Not a local request",
                detail: "The dashboard serves only this machine: open it at http://127.0.0.1 or http://localhost.",
                statusCode: StatusCodes.Status403Forbidden);
        }

        return await next(context);
    }

    public static async ValueTask<object?> RequireSignedInAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!DashboardSecurity.IsLocal(http))
        {
            return await RequireLocalAsync(context, next);
        }

        if (!http.RequestServices.GetRequiredService<DashboardSecurity>().IsSignedIn(http.Request))
        {
            if (http.Request.Path.StartsWithSegments("/api"))
            {
                return TypedResults.Problem(
                    title: "Sign in to the dashboard",
                    detail: "Open the login URL the AppHost printed at start (/login?t=…), or send the token as 'Authorization: Bearer <token>'.",
                    statusCode: StatusCodes.Status401Unauthorized);
            }

            return LoginPage("Open the login URL the AppHost printed at start (it ends in /login?t=…).");
        }

        return await next(context);
    }

    /// <summary>A 401 page for browsers that says where the token is.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult LoginPage(string message) =>
        TypedResults.Content(
            $"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>BenchPlatform dashboard: sign in</title></head>
            <body style="font-family: system-ui, sans-serif; margin: 4rem; color: #1f2933">
            <h1>Sign in to the BenchPlatform dashboard</h1><p>{WebUtility.HtmlEncode(message)}</p>
            <p>The AppHost prints <code>Login to the dashboard at http://127.0.0.1:18888/login?t=…</code> when it starts.</p>
            </body></html>
            """,
            "text/html; charset=utf-8",
            statusCode: StatusCodes.Status401Unauthorized);
}
