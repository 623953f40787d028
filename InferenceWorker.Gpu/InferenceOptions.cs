using System.ComponentModel.DataAnnotations;

namespace BenchPlatform.InferenceWorker;

/// <summary>The worker's settings (configuration section <c>Inference</c>, environment <c>Inference__…</c>).</summary>
public sealed class InferenceOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Inference";

    /// <summary><c>auto</c> (CUDA when present and a device is visible, else CPU), <c>cuda</c> (ask for CUDA, fall back with the reason) or <c>cpu</c>.</summary>
    [RegularExpression("^(auto|cuda|cpu)$", ErrorMessage = "Inference:ExecutionProvider must be auto, cuda or cpu.")]
    public string ExecutionProvider { get; set; } = "auto";

    /// <summary>The CUDA device id used when CUDA is chosen.</summary>
    [Range(0, 64)]
    public int CudaDeviceId { get; set; }

    /// <summary>ONNX Runtime intra-op threads: the cores given to this replica (0 = all the process sees).</summary>
    [Range(0, 1024, ErrorMessage = "Inference:IntraOpThreads must be between 0 (all cores) and 1024.")]
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// <c>measured</c> (default): each model gets the intra-op thread count, from 1 to <see cref="IntraOpThreads"/>, that
    /// ran it fastest at load (the fewest within 10 %); <c>fixed</c>: every model gets <see cref="IntraOpThreads"/>.
    /// </summary>
    [RegularExpression("^(measured|fixed)$", ErrorMessage = "Inference:ThreadPolicy must be measured or fixed.")]
    public string ThreadPolicy { get; set; } = "measured";

    /// <summary>
    /// Thread-pool worker threads kept ready: ONNX Runtime runs block their thread, and without a floor a burst
    /// of concurrent requests waits on the pool's slow thread injection (seconds at p99 on a 2-core replica).
    /// </summary>
    [Range(0, 32_767)]
    public int MinWorkerThreads { get; set; } = 64;

    /// <summary>
    /// Batches of one model that may run at once (default 1; 0: one per core). 1 serializes a model's runs: merging pays only
    /// when a run's cost grows slower than its batch; more runners keep every core busy when it does not.
    /// </summary>
    [Range(0, 256, ErrorMessage = "Inference:BatchRunners must be between 0 (one per core) and 256.")]
    public int BatchRunners { get; set; } = 1;

    /// <summary>
    /// Whether ONNX Runtime's intra-op threads spin while waiting for work: lower latency on dedicated cores,
    /// wasted CPU when cores are shared or many requests run at once (off by default).
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary><c>full</c> (all graph optimizations, optimized-model cache) or <c>eager</c> (optimizations off: fastest load).</summary>
    [RegularExpression("^(full|eager)$", ErrorMessage = "Inference:Optimization must be full or eager.")]
    public string Optimization { get; set; } = "full";

    /// <summary>Bound on the bytes of loaded models; the least recently used are unloaded beyond it.</summary>
    [Range(1L << 20, long.MaxValue, ErrorMessage = "Inference:MaxLoadedBytes must be at least 1 MiB.")]
    public long MaxLoadedBytes { get; set; } = 4L << 30;

    /// <summary>Largest upload accepted, in bytes.</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 1L << 30;

    /// <summary>Default largest batch (first dimension) per request and per merged batch; a model may set its own.</summary>
    [Range(1, 1 << 20, ErrorMessage = "Inference:MaxBatchSize must be between 1 and 1048576.")]
    public int MaxBatchSize { get; set; } = 1024;

    /// <summary>Default longest wait, in microseconds, for more requests to join a batch (0 = batch only what already waits).</summary>
    [Range(0, 10_000_000)]
    public int MaxQueueDelayMicroseconds { get; set; }

    /// <summary>
    /// The longest a request may expect to wait in a model's queue (the requests ahead of it times the measured time each
    /// takes); a request that would wait longer is refused at once with 503 and Retry-After, so under overload the worker
    /// serves at capacity and answers the rest quickly instead of letting every caller time out.
    /// </summary>
    [Range(1, 3_600_000, ErrorMessage = "Inference:MaxQueueWaitMilliseconds must be between 1 and 3600000.")]
    public int MaxQueueWaitMilliseconds { get; set; } = 1000;

    /// <summary>The most requests one model's queue holds whatever their cost (the bound before any run was measured).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Inference:MaxQueueLength must be between 1 and 1000000.")]
    public int MaxQueueLength { get; set; } = 1024;

    /// <summary>
    /// The longest a merged run should take, in milliseconds: a batch stops growing at the rows whose measured cost fits
    /// (at least one request always runs), so a large batch of a heavy model does not hold every request in it for seconds.
    /// </summary>
    [Range(1, 3_600_000, ErrorMessage = "Inference:BatchLatencyBudgetMilliseconds must be between 1 and 3600000.")]
    public int BatchLatencyBudgetMilliseconds { get; set; } = 100;

    /// <summary>
    /// Bytes of request bodies this worker holds at once (bodies being read, decoded and run); a request that would go
    /// over it is refused with 503 and Retry-After before its body is read, so a burst of large tensors cannot exhaust memory.
    /// </summary>
    [Range(1L << 20, long.MaxValue, ErrorMessage = "Inference:MaxRequestBytes must be at least 1 MiB.")]
    public long MaxRequestBytes { get; set; } = 512L << 20;

    /// <summary>Whether concurrent requests to one model are merged into one run.</summary>
    public bool DynamicBatching { get; set; } = true;

    /// <summary>Prediction cache entry lifetime, in seconds.</summary>
    [Range(1, 86_400 * 30, ErrorMessage = "Inference:CacheTtlSeconds must be between 1 and 2592000.")]
    public int CacheTtlSeconds { get; set; } = 60;

    /// <summary>How long a registry lookup (model name → latest version) is trusted before PostgreSQL is asked again.</summary>
    [Range(0, 60_000)]
    public int RegistryLookupCacheMilliseconds { get; set; } = 1000;

    /// <summary>Models loaded and run once before the replica reports ready (<c>Inference__Preload__0</c>, …).</summary>
    public List<string> Preload { get; set; } = [];

    /// <summary>Register the built-in sample models when the registry holds none of them (idempotent across replicas).</summary>
    public bool RegisterSamples { get; set; }
}
