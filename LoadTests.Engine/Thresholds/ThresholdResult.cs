namespace BenchPlatform.LoadTests.Thresholds;

/// <summary>How one threshold fared: the worst value seen, where, and whether it held.</summary>
public sealed record ThresholdResult(Threshold Threshold, bool Passed, double? Actual, string Where, string Message);
