namespace BenchPlatform.LoadTests.Reports;

/// <summary>
/// The threshold checks made while a run went (<c>abortWhenErrorCount</c>, the CLI's <c>--abort-when-error-count</c>):
/// every <paramref name="Interval"/>, <paramref name="Rounds"/> rounds of them before the run ended or was stopped.
/// Each threshold's own count and whether it stopped the run are in its <see cref="Thresholds.ThresholdResult"/>.
/// </summary>
public sealed record LiveCheckSummary(TimeSpan Interval, int Rounds);
