namespace BenchPlatform.SandboxRunner.Pool;

/// <summary>Every jail stayed busy for the whole queue timeout; the caller should retry later.</summary>
public sealed class PoolExhaustedException(string message) : Exception(message);
