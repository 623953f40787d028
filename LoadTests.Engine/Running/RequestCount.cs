namespace BenchPlatform.LoadTests;

/// <summary>How many iterations (or step runs) ended one way: count, per second of the measured window, and percent of all.</summary>
public readonly record struct RequestCount(long Count, double Rps, double Percent);
