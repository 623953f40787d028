using System.Text.Json.Serialization;

namespace BenchPlatform.InferenceWorker.Management;

/// <summary><c>POST /v1/models/{name}/warmup</c>: <c>{"load_ms","first_run_ms","optimized_cache":"hit|miss|off"}</c> plus what was warmed.</summary>
public sealed record WarmupResponse(
    string Model,
    string Version,
    double LoadMs,
    double? FirstRunMs,
    string OptimizedCache,
    bool LoadedNow,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FirstRunError);
