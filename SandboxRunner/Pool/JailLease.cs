using BenchPlatform.SandboxRunner.Jail;

namespace BenchPlatform.SandboxRunner.Pool;

/// <summary>A jail held for one run: whether it came warm from the pool, and the time spent getting it.</summary>
internal readonly record struct JailLease(JailProcess Jail, bool Warm, TimeSpan Queue, TimeSpan ColdStart);
