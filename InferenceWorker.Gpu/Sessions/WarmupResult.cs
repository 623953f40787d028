namespace BenchPlatform.InferenceWorker.Sessions;

/// <summary>What warming a model took: <c>{"load_ms","first_run_ms","optimized_cache"}</c>; <see cref="FirstRunError"/> when the synthetic run failed.</summary>
public sealed record WarmupResult(string Model, int Version, double LoadMs, double? FirstRunMs, string OptimizedCache, bool LoadedNow, string? FirstRunError)
{
    /// <summary>The intra-op threads the model's session runs with (0: ONNX Runtime's default, every core).</summary>
    public int IntraOpThreads { get; init; }
}
