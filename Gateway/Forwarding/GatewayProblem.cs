using System.Globalization;
using System.Text.Json;
using BenchPlatform.Protocol.Problems;
using Microsoft.Net.Http.Headers;

namespace BenchPlatform.Gateway.Forwarding;

/// <summary>
/// Writes RFC 9457 <c>application/problem+json</c> answers: <c>type</c> from the title (<see cref="ProblemTypes"/>),
/// <c>field</c> naming the offending request field.
/// </summary>
internal static class GatewayProblem
{
    public const string ContentType = "application/problem+json";

    public static async Task WriteAsync(
        HttpContext context, int status, string title, string detail, string? field = null, int? retryAfterSeconds = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
        }

        await using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("type", ProblemTypes.Of(title));
            writer.WriteString("title", title);
            writer.WriteNumber("status", status);
            writer.WriteString("detail", detail);
            if (field is not null)
            {
                writer.WriteString("field", field);
            }

            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
