namespace BenchPlatform.SandboxRunner.Jail;

/// <summary>A jail stopped answering in the middle of a run (it was killed or broke the protocol).</summary>
public sealed class JailLostException(string message, Exception? inner = null) : Exception(message, inner);
