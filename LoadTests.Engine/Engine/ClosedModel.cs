namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// Settings of a closed-model run: <paramref name="Concurrency"/> clients each send their next request when the
/// previous one is answered, for <paramref name="Iterations"/> measured requests in all or for <paramref name="Duration"/>.
/// </summary>
/// <param name="Concurrency">Concurrent clients.</param>
/// <param name="Iterations">Measured requests to send in all, or null to run for <paramref name="Duration"/>.</param>
/// <param name="Duration">Measured time, when <paramref name="Iterations"/> is null.</param>
/// <param name="Warmup">Leading time whose requests are sent but left out of the results.</param>
public sealed record ClosedModel(int Concurrency, long? Iterations, TimeSpan Duration, TimeSpan Warmup);
