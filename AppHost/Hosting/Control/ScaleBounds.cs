using System.Text.Json.Serialization;

namespace BenchPlatform.AppHost.Hosting.Control;

/// <summary>The body of <c>PUT /_internal/scale/{name}</c>.</summary>
public sealed record ScaleBounds(
    [property: JsonPropertyName("min")] int? Min,
    [property: JsonPropertyName("max")] int? Max);
