namespace BenchPlatform.AppHost.Dashboard.Traces;

/// <summary>A span as the dashboard keeps it: times in microseconds, the tags that the views read, error resolved.</summary>
public sealed record SpanRecord(
    string TraceId,
    string SpanId,
    string? ParentId,
    string Name,
    string Kind,
    string Service,
    long StartUs,
    long DurationUs,
    bool Error,
    IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>The route template of a server span (<c>http.route</c>), else the path or URL called, else the span name.</summary>
    public string Route =>
        Tags.TryGetValue("http.route", out var route) || Tags.TryGetValue("url.path", out route) ? route
        : Tags.TryGetValue("url.full", out var url) ? url.Split('?')[0]
        : Name;

    /// <summary>The HTTP status the span recorded, when it has one.</summary>
    public int? StatusCode =>
        (Tags.TryGetValue("http.response.status_code", out var code) || Tags.TryGetValue("http.status_code", out code))
        && int.TryParse(code, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var status)
            ? status
            : null;

    /// <summary>The end, in microseconds since the Unix epoch.</summary>
    public long EndUs => StartUs + DurationUs;

    /// <summary>
    /// What keeping this span costs, in bytes, counted high: every string as its own copy (pooled ones are shared in
    /// fact) plus the objects that hold them.
    /// </summary>
    public long EstimatedBytes()
    {
        const int ObjectBytes = 96, TagBytes = 16;
        var bytes = ObjectBytes + StringBytes(TraceId) + StringBytes(SpanId) + StringBytes(ParentId) + StringBytes(Name)
            + StringBytes(Kind) + StringBytes(Service);
        foreach (var (key, value) in Tags)
        {
            bytes += TagBytes + StringBytes(key) + StringBytes(value);
        }

        return bytes;
    }

    private static long StringBytes(string? value) => value is null ? 0 : 22 + (2L * value.Length);
}
