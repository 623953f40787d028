namespace BenchPlatform.LoadTests.Thresholds;

/// <summary>
/// How one threshold fared: the worst value seen, where, whether it held, and its checks while the run went: how many
/// were made on data (<paramref name="Checks"/>), how many failed (<paramref name="FailedChecks"/>), and whether they
/// stopped the run (<paramref name="AbortedRun"/>) and when (<paramref name="StoppedAt"/>, from the start of the run).
/// </summary>
public sealed record ThresholdResult(Threshold Threshold, bool Passed, double? Actual, string Where, string Message, int FailedChecks = 0, bool AbortedRun = false, int Checks = 0, TimeSpan? StoppedAt = null);
