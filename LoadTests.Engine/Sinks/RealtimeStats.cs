using System.Globalization;
using BenchPlatform.LoadTests.Results;

namespace BenchPlatform.LoadTests;

/// <summary>One scenario over the last reporting interval: completions and errors per second, corrected latency, totals so far.</summary>
/// <param name="ScenarioName">The scenario.</param>
/// <param name="Elapsed">Time since the scenario started.</param>
/// <param name="RequestsPerSecond">Iterations completed per second in the interval.</param>
/// <param name="ErrorsPerSecond">Failed iterations per second in the interval.</param>
/// <param name="Latency">Corrected latency of the interval's completions (ms).</param>
/// <param name="Sent">Iterations started so far (warm-up included).</param>
/// <param name="Completed">Iterations completed so far.</param>
/// <param name="Errors">Failed iterations so far.</param>
/// <param name="Dropped">Iterations the generator could not start so far.</param>
/// <param name="InFlight">Iterations in flight now.</param>
public sealed record RealtimeStats(string ScenarioName, TimeSpan Elapsed, double RequestsPerSecond, double ErrorsPerSecond, LatencyStats Latency, long Sent, long Completed, long Errors, long Dropped, long InFlight)
{
    /// <summary>One plain line, as <see cref="LiveSink"/> prints it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"[{ScenarioName}] {Elapsed.TotalSeconds:0.0}s {RequestsPerSecond:0.#} req/s, {ErrorsPerSecond:0.#} errors/s, p50={Latency.P50:0.###} p99={Latency.P99:0.###} max={Latency.Max:0.###} ms; sent={Sent} done={Completed} errors={Errors} dropped={Dropped} inflight={InFlight}");
}
