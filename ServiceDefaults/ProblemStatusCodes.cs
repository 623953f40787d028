using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace BenchPlatform.ServiceDefaults;

/// <summary>
/// A status-code-pages style writer: a 4xx answer that leaves the pipeline without a body (routing's 404 for an
/// unroutable path, its 405 for a wrong method, a bare <c>Results.StatusCode</c>) gets an RFC 9457
/// <c>application/problem+json</c> body whose <c>detail</c> says what to change. Answers that carry a body, a
/// content type or a length, and answers already started (a proxied response), are left alone.
/// </summary>
public static class ProblemStatusCodes
{
    /// <summary>The media type of the bodies written.</summary>
    public const string ContentType = "application/problem+json";

    private const int MaxPathInDetail = 200;

    /// <summary>Adds the writer; put it first, so it sees every answer the rest of the pipeline leaves bodiless.</summary>
    public static IApplicationBuilder UseProblemStatusCodes(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        var task = next(context);
        return task.IsCompletedSuccessfully && !NeedsBody(context.Response) ? Task.CompletedTask : AwaitAndWriteAsync(task, context);
    });

    /// <summary>True when <paramref name="response"/> is a 4xx that has not started and carries no body yet.</summary>
    public static bool NeedsBody(HttpResponse response) =>
        response.StatusCode is >= 400 and < 500
        && !response.HasStarted
        && response.ContentLength is null
        && string.IsNullOrEmpty(response.ContentType);

    /// <summary>Writes the problem body for the response's status (title from the status, detail from the request).</summary>
    public static async Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        var status = response.StatusCode;
        response.ContentType = ContentType;
        await using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("title", ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Request refused");
            writer.WriteNumber("status", status);
            writer.WriteString("detail", Detail(context));
            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>What the caller should change, for the statuses routing and hosting produce on their own.</summary>
    public static string Detail(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (path.Length > MaxPathInDetail)
        {
            path = string.Concat(path.AsSpan(0, MaxPathInDetail), "…");
        }

        return context.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound =>
                $"There is no {request.Method} {path} on this service; check the path (no empty segments, no trailing parts) against the API reference (docs/api.md in the repository).",
            StatusCodes.Status405MethodNotAllowed => context.Response.Headers[HeaderNames.Allow] is { Count: > 0 } allow
                ? $"{path} does not accept {request.Method}; use {allow}."
                : $"{path} does not accept {request.Method}; see the API reference (docs/api.md in the repository) for its method.",
            StatusCodes.Status414RequestUriTooLong => "The request target is too long; shorten the path or query.",
            StatusCodes.Status415UnsupportedMediaType => $"{request.Method} {path} does not accept Content-Type '{request.ContentType}'; see the API reference (docs/api.md in the repository) for the type to send.",
            var status => $"{request.Method} {path} was refused ({status} {ReasonPhrases.GetReasonPhrase(status)}); check the request against the API reference (docs/api.md in the repository).",
        };
    }

    private static async Task AwaitAndWriteAsync(Task task, HttpContext context)
    {
        await task;
        if (NeedsBody(context.Response))
        {
            await WriteAsync(context);
        }
    }
}
