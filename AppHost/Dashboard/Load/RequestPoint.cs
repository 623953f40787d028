using System.Text.Json.Serialization;

namespace BenchPlatform.AppHost.Dashboard.Load;

/// <summary>Requests that started in one second through the entry service, with latency percentiles in ms.</summary>
public sealed record RequestPoint(
    [property: JsonPropertyName("t")] long T,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("errors")] long Errors,
    [property: JsonPropertyName("p50")] double? P50,
    [property: JsonPropertyName("p95")] double? P95,
    [property: JsonPropertyName("p99")] double? P99);
