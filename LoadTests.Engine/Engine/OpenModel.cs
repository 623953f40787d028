namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// Settings of an open-model run: requests start on the schedule whatever the server does (wrk2's model),
/// with at most <paramref name="MaxInFlight"/> outstanding; one that cannot start on time starts late and its
/// latency still counts from its intended start.
/// </summary>
/// <param name="Schedule">When each request is due.</param>
/// <param name="Warmup">Leading time whose requests are sent but left out of the results.</param>
/// <param name="Duration">Measured time after the warm-up.</param>
/// <param name="MaxInFlight">Outstanding requests allowed (connections, as wrk's <c>-c</c>).</param>
/// <param name="LateAfter">A request sent later than this after its intended start counts as late.</param>
public sealed record OpenModel(IArrivalSchedule Schedule, TimeSpan Warmup, TimeSpan Duration, int MaxInFlight, TimeSpan LateAfter);
