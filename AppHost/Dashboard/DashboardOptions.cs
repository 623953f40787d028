namespace BenchPlatform.AppHost.Dashboard;

/// <summary>Settings of the AppHost's dashboard (configuration section <c>Dashboard</c>).</summary>
public sealed class DashboardOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Dashboard";

    /// <summary>The most traces kept; the one first seen longest ago is evicted to make room.</summary>
    public int MaxTraces { get; set; } = 10_000;

    /// <summary>The default of <see cref="MaxTraceBytes"/>: 64 MiB.</summary>
    public const long DefaultMaxTraceBytes = 64L * 1024 * 1024;

    /// <summary>The most bytes of spans kept (counted high); the trace first seen longest ago is evicted to make room.</summary>
    public long MaxTraceBytes { get; set; } = DefaultMaxTraceBytes;

    /// <summary>The most spans kept per trace; later ones are dropped and counted.</summary>
    public int MaxSpansPerTrace { get; set; } = 1_000;

    /// <summary>Seconds of requests and replica counts the load charts keep.</summary>
    public int ChartSeconds { get; set; } = 900;

    /// <summary>Log lines sent when a console view opens (the live stream follows).</summary>
    public int LogTail { get; set; } = 1_000;

    /// <summary>The largest Zipkin request body accepted, in bytes.</summary>
    public int MaxSpanBatchBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>The login token; empty means a new random one per run, printed at start.</summary>
    public string? Token { get; set; }
}
