using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace BenchPlatform.AppHost.Hosting.Control;

/// <summary>
/// Fills <c>detail</c> of the problem bodies that status-code pages write for answers that had none (routing's
/// 404 for an unknown route, its 405 for a wrong method), so every refusal says what to change.
/// </summary>
internal static class StatusCodeProblems
{
    private const int MaxPathInDetail = 200;

    public static void AddDetail(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Detail is not null)
        {
            return;
        }

        var http = context.HttpContext;
        var request = http.Request;
        var path = request.Path.Value ?? "/";
        if (path.Length > MaxPathInDetail)
        {
            path = string.Concat(path.AsSpan(0, MaxPathInDetail), "…");
        }

        var status = problem.Status ?? http.Response.StatusCode;
        problem.Detail = status switch
        {
            StatusCodes.Status404NotFound =>
                $"There is no {request.Method} {path} on the AppHost; see docs/internals.md for the control API's routes.",
            StatusCodes.Status405MethodNotAllowed => http.Response.Headers[HeaderNames.Allow] is { Count: > 0 } allow
                ? $"{path} does not accept {request.Method}; use {allow}."
                : $"{path} does not accept {request.Method}.",
            _ => $"{request.Method} {path} was refused ({status} {ReasonPhrases.GetReasonPhrase(status)}).",
        };
    }
}
