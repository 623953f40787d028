namespace BenchPlatform.SandboxRunner.Jail;

/// <summary>A jail could not be started on this host; the message says what the runner needs.</summary>
public sealed class JailStartException(string message, Exception? inner = null) : Exception(message, inner);
