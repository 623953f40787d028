using System.Text.Json.Serialization;

namespace BenchPlatform.AppHost.Dashboard.Traces;

/// <summary>One span as the Zipkin v2 JSON API carries it (<c>POST /api/v2/spans</c>, a JSON array of these).</summary>
internal sealed class ZipkinSpan
{
    [JsonPropertyName("traceId")]
    public string? TraceId { get; set; }

    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("parentId")]
    public string? ParentId { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    /// <summary>Start, in microseconds since the Unix epoch.</summary>
    [JsonPropertyName("timestamp")]
    public long? Timestamp { get; set; }

    /// <summary>Duration in microseconds.</summary>
    [JsonPropertyName("duration")]
    public long? Duration { get; set; }

    [JsonPropertyName("localEndpoint")]
    public ZipkinEndpoint? LocalEndpoint { get; set; }

    [JsonPropertyName("remoteEndpoint")]
    public ZipkinEndpoint? RemoteEndpoint { get; set; }

    [JsonPropertyName("tags")]
    public Dictionary<string, string>? Tags { get; set; }

    [JsonPropertyName("annotations")]
    public List<ZipkinAnnotation>? Annotations { get; set; }
}

/// <summary>A Zipkin endpoint: the service and where it listens.</summary>
internal sealed class ZipkinEndpoint
{
    [JsonPropertyName("serviceName")]
    public string? ServiceName { get; set; }

    [JsonPropertyName("ipv4")]
    public string? Ipv4 { get; set; }

    [JsonPropertyName("ipv6")]
    public string? Ipv6 { get; set; }

    [JsonPropertyName("port")]
    public int? Port { get; set; }
}

/// <summary>A timestamped event in a span (OpenTelemetry span events become these).</summary>
internal sealed class ZipkinAnnotation
{
    [JsonPropertyName("timestamp")]
    public long Timestamp { get; set; }

    [JsonPropertyName("value")]
    public string? Value { get; set; }
}

[JsonSerializable(typeof(List<ZipkinSpan>))]
[JsonSourceGenerationOptions(AllowTrailingCommas = true, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
internal sealed partial class ZipkinJsonContext : JsonSerializerContext;
