using System.Text.Json.Serialization;
using BenchPlatform.AppHost.Hosting.Orchestration;

namespace BenchPlatform.AppHost.Hosting.Control;

/// <summary>A scalable project's replica counts, bounds and load, as <c>GET /_internal/scale</c> reports them.</summary>
public sealed record ScaleState(
    [property: JsonPropertyName("ready")] int Ready,
    [property: JsonPropertyName("desired")] int Desired,
    [property: JsonPropertyName("min")] int Min,
    [property: JsonPropertyName("max")] int Max,
    [property: JsonPropertyName("inflight")] int Inflight)
{
    /// <summary>The state of <paramref name="runner"/> now.</summary>
    public static ScaleState Of(ProjectRunner runner) => new(runner.Ready, runner.Desired, runner.Min, runner.Max, runner.Inflight);
}
