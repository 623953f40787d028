using Microsoft.ML.OnnxRuntime;

namespace BenchPlatform.InferenceWorker.Sessions;

/// <summary>
/// A model's session as <see cref="SessionFactory"/> made it: how long that took (thread probing included), the
/// optimized-graph cache outcome, the intra-op threads it runs with (0: ONNX Runtime's default, every core) and, when
/// they were measured, each candidate's median run time.
/// </summary>
public sealed record LoadedSession(InferenceSession Session, double LoadMs, string OptimizedCache, int IntraOpThreads, string? ThreadProbe);
