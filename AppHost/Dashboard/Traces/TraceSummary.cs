namespace BenchPlatform.AppHost.Dashboard.Traces;

/// <summary>One row of the trace list: where the trace entered, how long it took and whether anything failed.</summary>
public sealed record TraceSummary(
    string TraceId,
    string RootService,
    string RootName,
    string Route,
    string Method,
    int? StatusCode,
    long StartUs,
    long DurationUs,
    int SpanCount,
    IReadOnlyList<string> Services,
    bool Error);
