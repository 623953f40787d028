using System.Text;

namespace BenchPlatform.EndToEnd.Tests.Fuzzing;

/// <summary>One malformed request: what it is, and everything needed to send it again.</summary>
public sealed record FuzzCase(
    int Index,
    string Mutation,
    HttpMethod Method,
    string PathAndQuery,
    string? ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body)
{
    /// <summary>The request as a message for <see cref="HttpClient"/>.</summary>
    public HttpRequestMessage ToRequest(Uri gateway)
    {
        var request = new HttpRequestMessage(Method, new Uri(gateway, PathAndQuery));
        if (Body is not null)
        {
            request.Content = new ByteArrayContent(Body);
            request.Content.Headers.Remove("Content-Type");
            if (ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        foreach (var (name, value) in Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    /// <summary>A curl command line that sends the same bytes (the body as base64, so bad UTF-8 survives).</summary>
    public string Reproduction(Uri gateway)
    {
        var text = new StringBuilder();
        text.Append("case ").Append(Index).Append(" (").Append(Mutation).Append("): ");
        if (Body is not null)
        {
            text.Append("echo ").Append(Convert.ToBase64String(Body.Length > 4096 ? Body[..4096] : Body))
                .Append(Body.Length > 4096 ? $" (first 4096 of {Body.Length} bytes)" : string.Empty)
                .Append(" | base64 -d | ");
        }

        text.Append("curl -si -X ").Append(Method.Method).Append(" '").Append(new Uri(gateway, PathAndQuery)).Append('\'');
        if (ContentType is not null)
        {
            text.Append(" -H 'Content-Type: ").Append(ContentType).Append('\'');
        }

        foreach (var (name, value) in Headers)
        {
            text.Append(" -H '").Append(name).Append(": ").Append(value.Length > 200 ? value[..200] + "…" : value).Append('\'');
        }

        if (Body is not null)
        {
            text.Append(" --data-binary @-");
        }

        return text.ToString();
    }
}
