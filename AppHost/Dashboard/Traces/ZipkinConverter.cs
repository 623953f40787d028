using System.Globalization;
using System.Text.Json;

namespace BenchPlatform.AppHost.Dashboard.Traces;

/// <summary>
/// Reads a Zipkin v2 JSON body (an array of spans) into <see cref="SpanRecord"/>s, checking what the views need:
/// hex trace and span ids, a start time and a duration. Tags are bounded so one span cannot hold much memory.
/// </summary>
public static class ZipkinConverter
{
    /// <summary>Tags kept per span; more are dropped.</summary>
    public const int MaxTagsPerSpan = 64;

    /// <summary>Characters kept per tag value; longer ones are cut.</summary>
    public const int MaxTagValueLength = 1024;

    // Spans repeat the same keys, names and most values; the store keeps one copy of each.
    private static readonly StringPool Strings = new();

    /// <summary>
    /// Parses <paramref name="utf8Json"/>; returns the spans, or null with <paramref name="error"/> saying what
    /// is wrong with the body (not JSON, not an array, or which span lacks what).
    /// </summary>
    public static IReadOnlyList<SpanRecord>? Parse(ReadOnlySpan<byte> utf8Json, out string? error)
    {
        List<ZipkinSpan>? spans;
        try
        {
            spans = JsonSerializer.Deserialize(utf8Json, ZipkinJsonContext.Default.ListZipkinSpan);
        }
        catch (JsonException ex)
        {
            error = $"The body is not a Zipkin v2 JSON array of spans: {ex.Message}";
            return null;
        }

        if (spans is null)
        {
            error = "The body is JSON null; send a JSON array of Zipkin v2 spans.";
            return null;
        }

        var records = new List<SpanRecord>(spans.Count);
        for (var i = 0; i < spans.Count; i++)
        {
            if (Convert(spans[i], out var record) is { } problem)
            {
                error = $"Span {i}: {problem}";
                return null;
            }

            records.Add(record!);
        }

        error = null;
        return records;
    }

    private static string? Convert(ZipkinSpan? span, out SpanRecord? record)
    {
        record = null;
        if (span is null)
        {
            return "is null; every element must be a span object.";
        }

        if (!IsHex(span.TraceId, 16) && !IsHex(span.TraceId, 32))
        {
            return $"'traceId' must be 16 or 32 hex characters (got '{Shorten(span.TraceId)}').";
        }

        if (!IsHex(span.Id, 16))
        {
            return $"'id' must be 16 hex characters (got '{Shorten(span.Id)}').";
        }

        if (span.ParentId is not null && !IsHex(span.ParentId, 16))
        {
            return $"'parentId' must be 16 hex characters when present (got '{Shorten(span.ParentId)}').";
        }

        if (span.Timestamp is not > 0)
        {
            return "'timestamp' (microseconds since the Unix epoch) is required and must be positive.";
        }

        if (span.Duration is < 0)
        {
            return "'duration' (microseconds) must not be negative.";
        }

        var tags = SpanTags.Empty;
        if (span.Tags is { Count: > 0 })
        {
            tags = new SpanTags(span.Tags.Take(MaxTagsPerSpan).Select(t => KeyValuePair.Create(
                Strings.Intern(t.Key),
                Strings.Intern(t.Value is { Length: > MaxTagValueLength } ? t.Value[..MaxTagValueLength] : t.Value ?? string.Empty))));
        }

        var kind = Strings.Intern(string.IsNullOrEmpty(span.Kind) ? "INTERNAL" : span.Kind.ToUpperInvariant());
        record = new SpanRecord(
            span.TraceId!.ToLowerInvariant(),
            span.Id!.ToLowerInvariant(),
            span.ParentId?.ToLowerInvariant(),
            Strings.Intern(span.Name ?? string.Empty),
            kind,
            Strings.Intern(string.IsNullOrEmpty(span.LocalEndpoint?.ServiceName) ? "unknown" : span.LocalEndpoint.ServiceName),
            span.Timestamp.Value,
            span.Duration ?? 0,
            IsError(tags, kind),
            tags);
        return null;
    }

    private static bool IsError(SpanTags tags, string kind)
    {
        if (tags.ContainsKey("error") || (tags.TryGetValue("otel.status_code", out var status) && status == "ERROR"))
        {
            return true;
        }

        // A server that answered 5xx failed even when its instrumentation did not set the status.
        return kind == "SERVER"
            && (tags.TryGetValue("http.response.status_code", out var code) || tags.TryGetValue("http.status_code", out code))
            && int.TryParse(code, NumberStyles.Integer, CultureInfo.InvariantCulture, out var http) && http >= 500;
    }

    private static bool IsHex(string? value, int length)
    {
        if (value is null || value.Length != length)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string Shorten(string? value) => value is null ? "null" : value.Length > 40 ? value[..40] + "…" : value;
}
