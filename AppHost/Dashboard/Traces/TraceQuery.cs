namespace BenchPlatform.AppHost.Dashboard.Traces;

/// <summary>The trace list's filters; null or empty means "any".</summary>
public sealed record TraceQuery(
    string? Service = null,
    string? Route = null,
    double? MinDurationMs = null,
    bool ErrorsOnly = false,
    int Limit = 100);
