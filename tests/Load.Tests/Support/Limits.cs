namespace BenchPlatform.Load.Tests.Support;

/// <summary>
/// The load scenarios' latency bounds, each relative to a reference measured in the same run: a cheap GET through the
/// gateway to the service the scenario loads, sent at 10/s beside the scenario through its warm-up and window
/// (<see cref="LoadRun"/>), so both see the machine as it is at that moment.
/// <para>
/// Why not fixed bounds: on this shared 2-core machine other engineers' builds move the scenarios' medians 3–14× between
/// runs (load average 6–30), so a fixed bound either fails a busy machine or misses a 3× regression on a quiet one. A
/// uniformly slow machine slows the reference as much as the scenario; a regression of the scenario's own path does not
/// slow the reference. The reference goes to the same service because the wait a loaded machine adds depends on the
/// processes a request crosses: beside the inference scenarios <c>GET /v1/models/mlp</c> (the worker's model metadata)
/// kept warm infer at 0.67–0.93× its median over four runs whose absolute medians went 9–24 ms, and the lifecycle's
/// upload at 4.4–10.4× while it went 118–429 ms; the gateway's own <c>/health</c> (two runs) gave 0.60–0.91× and
/// 16.2–19.8×. The sandbox's cheapest answer is the 404 of a block name that does not exist; a cold start holds the
/// worker, so its reference is the control API's <c>GET /v1/scale</c>.
/// </para>
/// <para>
/// Each bound is three times the median ratio of two to five runs (2026-12-07 11:00–11:08 UTC, load average 12–29;
/// the ratios in docs/readme-loadtests.md): a 3× regression of a run at that median fails, and the scatter of healthy
/// runs seen so far (at most 1.8× the median) passes. A regression of the reference's own path (the gateway, the worker's HTTP
/// stack) moves both sides and is caught by those services' own benchmarks, not here.
/// </para>
/// </summary>
internal static class Limits
{
    /// <summary>The inference worker's cheapest answer through the gateway: a model's metadata.</summary>
    public static readonly Reference InferenceWorker = new("/v1/models/mlp", 200);

    /// <summary>The sandbox's cheapest answer through the gateway: the 404 of a block name that is not registered.</summary>
    public static readonly Reference Sandbox = new("/v1/blocks/lt-reference-none", 404);

    /// <summary>The control API through the gateway (what a cold start does not hold).</summary>
    public static readonly Reference Control = new("/v1/scale", 200);

    /// <summary>Median ratio 0.71 (0.67, 0.71, 0.71, 0.93).</summary>
    public static readonly RelativeBound WarmInferP50 = RelativeBound.P50("warm", 2.1);

    /// <summary>Median ratio 0.93 (0.80, 0.87, 0.99, 1.19).</summary>
    public static readonly RelativeBound CacheHitP50 = RelativeBound.P50("cache_hit", 2.8);

    /// <summary>Median ratio 246 (208, 221, 246, 420, 427): the worker's start and the model's load against one control call.</summary>
    public static readonly RelativeBound ColdStartMax = RelativeBound.Max("cold", 738);

    /// <summary>Median ratio 7.3 (4.4, 5.0, 9.5, 10.4): a 1 MB ONNX file validated by ONNX Runtime and stored.</summary>
    public static readonly RelativeBound LifecycleUploadP50 = RelativeBound.StepP50("upload", 21.8);

    /// <summary>Median ratio 6.2 (2.6, 5.9, 6.5, 6.6): the first infer on a new model loads it.</summary>
    public static readonly RelativeBound LifecycleInferP50 = RelativeBound.StepP50("infer", 18.5);

    /// <summary>Median ratio 1.7 (1.3, 1.4, 2.0, 2.3).</summary>
    public static readonly RelativeBound LifecycleDeleteP50 = RelativeBound.StepP50("delete", 5.0);

    /// <summary>Median ratio 0.58 (0.24, 0.39, 0.77, 1.03) for 16 streamed tokens, two clients.</summary>
    public static readonly RelativeBound ChatP50 = RelativeBound.P50("all", 1.74);

    /// <summary>Median ratio 2.0 (1.4, 2.6): a warm jail, 2 runs a second.</summary>
    public static readonly RelativeBound BlockWarmP50 = RelativeBound.P50("warm", 6.0);
}
