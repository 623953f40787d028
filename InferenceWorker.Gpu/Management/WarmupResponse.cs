using System.Text.Json.Serialization;

namespace BenchPlatform.InferenceWorker.Management;

/// <summary>
/// <c>POST /v1/models/{name}/warmup</c>: <c>{"load_ms","first_run_ms","optimized_cache":"hit|miss|off","intra_op_threads"}</c>
/// plus what was warmed (<c>intra_op_threads</c> 0: ONNX Runtime's default, every core).
/// </summary>
public sealed record WarmupResponse(
    string Model,
    string Version,
    double LoadMs,
    double? FirstRunMs,
    string OptimizedCache,
    bool LoadedNow,
    int IntraOpThreads,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FirstRunError);
