using System.Text.Json.Serialization;

namespace BenchPlatform.AppHost.Dashboard.Load;

/// <summary>A scalable project's replicas and load at one second.</summary>
public sealed record GaugePoint(
    [property: JsonPropertyName("t")] long T,
    [property: JsonPropertyName("ready")] int Ready,
    [property: JsonPropertyName("desired")] int Desired,
    [property: JsonPropertyName("inflight")] int Inflight,
    [property: JsonPropertyName("waiting")] int Waiting);
