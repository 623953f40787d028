namespace BenchPlatform.LoadTests.Thresholds;

/// <summary>
/// How one threshold fared: the worst value seen, where, whether it held, and how many of its checks while the run went
/// failed (<paramref name="FailedChecks"/>; <paramref name="AbortedRun"/> when they stopped it).
/// </summary>
public sealed record ThresholdResult(Threshold Threshold, bool Passed, double? Actual, string Where, string Message, int FailedChecks = 0, bool AbortedRun = false);
