using System.Text.Json.Serialization;

namespace BenchPlatform.AppHost.Dashboard.Load;

/// <summary>What the load charts draw: one point per second, times in Unix milliseconds.</summary>
public sealed record LoadSeries(
    [property: JsonPropertyName("from")] long From,
    [property: JsonPropertyName("to")] long To,
    [property: JsonPropertyName("requests")] IReadOnlyList<RequestPoint> Requests,
    [property: JsonPropertyName("replicas")] IReadOnlyDictionary<string, List<GaugePoint>> Replicas);
