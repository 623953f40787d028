using System.Globalization;
using BenchPlatform.LoadTests;

namespace BenchPlatform.Load.Tests.Support;

/// <summary>
/// A latency figure of a scenario that may be at most <see cref="MaxRatio"/> times the reference's median measured in
/// the same run (<see cref="Limits"/> says why).
/// </summary>
/// <param name="Name">What is bounded, e.g. <c>warm.p50</c> or <c>upload.p50</c>.</param>
/// <param name="Read">Reads the figure (ms) from the scenario's stats; null when the run has none (a failure).</param>
/// <param name="MaxRatio">The largest figure / reference median that passes.</param>
internal sealed record RelativeBound(string Name, Func<ScenarioStats, double?> Read, double MaxRatio)
{
    /// <summary>The corrected median of one class of the scenario's iterations.</summary>
    public static RelativeBound P50(string requestClass, double maxRatio) =>
        new($"{requestClass}.p50", stats => stats.Classes.TryGetValue(requestClass, out var c) && c.Corrected.Count > 0 ? c.Corrected.P50 : null, maxRatio);

    /// <summary>The corrected maximum of one class of the scenario's iterations.</summary>
    public static RelativeBound Max(string requestClass, double maxRatio) =>
        new($"{requestClass}.max", stats => stats.Classes.TryGetValue(requestClass, out var c) && c.Corrected.Count > 0 ? c.Corrected.Max : null, maxRatio);

    /// <summary>The median of one step's successful runs.</summary>
    public static RelativeBound StepP50(string step, double maxRatio) =>
        new($"{step}.p50", stats => stats.Steps.FirstOrDefault(s => s.StepName == step) is { Ok.Request.Count: > 0 } s ? s.Ok.Latency.P50 : null, maxRatio);

    /// <summary>Checks the bound against <paramref name="referenceMs"/>; the line says the figure, the ratio and the verdict.</summary>
    public (bool Passed, string Line) Check(ScenarioStats stats, double referenceMs)
    {
        if (Read(stats) is not { } value)
        {
            return (false, $"{Name}: FAILED (no value: no successful request of that kind)");
        }

        var ratio = value / referenceMs;
        var passed = ratio < MaxRatio;
        return (passed, string.Create(CultureInfo.InvariantCulture, $"{Name}: {value:0.###} ms = {ratio:0.0}x the reference (bound {MaxRatio:0.#}x): {(passed ? "ok" : "FAILED")}"));
    }
}
