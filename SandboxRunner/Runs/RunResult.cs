namespace BenchPlatform.SandboxRunner.Runs;

/// <summary>The outcome of one run, as docs/api.md's run response carries it, plus where the time went.</summary>
internal sealed record RunResult(
    string Status,
    byte[]? OutputsJson,
    string Stdout,
    string Stderr,
    double DurationMs,
    bool Warm,
    string? ErrorType,
    string? ErrorMessage,
    TimeSpan Queue,
    TimeSpan ColdStart)
{
    public const string Ok = "ok";
    public const string Error = "error";
    public const string Timeout = "timeout";
    public const string MemoryLimit = "memory_limit";
    public const string OutputLimit = "output_limit";
}
