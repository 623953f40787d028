namespace BenchPlatform.LoadTests;

/// <summary>
/// Receives a run's stats while it goes (every <see cref="LoadTestRunner.WithReportingInterval"/>) and at its end:
/// <see cref="LiveSink"/> prints or appends them, <see cref="OtlpMetricsSink"/> exports them as OpenTelemetry metrics.
/// </summary>
public interface IReportingSink
{
    /// <summary>The sink's name (for messages).</summary>
    string SinkName { get; }

    /// <summary>Called once before the load starts.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>The last interval of every running scenario.</summary>
    Task SaveRealtimeStatsAsync(IReadOnlyList<RealtimeStats> stats, CancellationToken cancellationToken);

    /// <summary>The run's final stats.</summary>
    Task SaveFinalStatsAsync(LoadTestStats stats, CancellationToken cancellationToken);

    /// <summary>Called once at the end (flush, close).</summary>
    Task StopAsync(CancellationToken cancellationToken);
}
