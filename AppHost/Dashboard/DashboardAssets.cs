using System.Reflection;

namespace BenchPlatform.AppHost.Dashboard;

/// <summary>
/// The dashboard's pages (plain HTML, CSS and JavaScript under <c>Dashboard/wwwroot</c>), embedded in the AppHost
/// assembly so the AppHost serves them from any folder with no build step and no copy.
/// </summary>
internal static class DashboardAssets
{
    private const string Prefix = "dashboard/";

    private static readonly Assembly Assembly = typeof(DashboardAssets).Assembly;

    public static IEndpointRouteBuilder MapDashboardAssets(this RouteGroupBuilder pages)
    {
        pages.MapGet("/", () => Serve("index.html"));
        pages.MapGet("/assets/{file}", (string file) => Serve(file));
        return pages;
    }

    /// <summary>The icon browsers ask for on any page, the sign-in page too; it is no secret.</summary>
    public static IEndpointRouteBuilder MapDashboardIcon(this IEndpointRouteBuilder app)
    {
        app.MapGet("/favicon.ico", () => Serve("favicon.svg")).AddEndpointFilter(Security.DashboardFilters.RequireLocalAsync);
        return app;
    }

    private static IResult Serve(string file)
    {
        var stream = Assembly.GetManifestResourceStream(Prefix + file);
        if (stream is null)
        {
            return TypedResults.NotFound();
        }

        var type = Path.GetExtension(file) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => "application/octet-stream",
        };
        return TypedResults.Stream(stream, type);
    }
}
