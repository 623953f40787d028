using System.ComponentModel.DataAnnotations;

namespace BenchPlatform.Gateway.Options;

/// <summary>The gateway's settings (configuration section <c>Gateway</c>), validated at start.</summary>
public sealed class GatewayOptions : IValidatableObject
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Gateway";

    /// <summary>How long a request waits for a ready replica of a cold cluster before it gets 503.</summary>
    public TimeSpan HoldTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Clusters whose requests are held while no replica is ready (the autoscaled ones).</summary>
    public string[] HoldClusters { get; set; } = ["inference"];

    /// <summary>
    /// The time a request is given when its caller sends no <c>Request-Timeout</c> header: it bounds how long the request is
    /// held for a cold cluster, and what is left of it goes to the replica, which drops queued work whose time is up.
    /// </summary>
    public TimeSpan DefaultDeadline { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Whether infer requests are let through per model only up to an adaptive concurrency limit (the concurrency the
    /// replicas answer within twice their idle latency plus <see cref="LatencyAllowance"/>) and refused at once with 503 beyond it.
    /// </summary>
    public bool AdaptiveConcurrency { get; set; } = true;

    /// <summary>
    /// The queueing a model's answers may add over twice their idle latency before the adaptive concurrency limit lets
    /// fewer requests through at once: the bound on admitted latency under overload, and the noise it tolerates.
    /// </summary>
    public TimeSpan LatencyAllowance { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest silence from a replica before the request fails with 504.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Cap on a JSON request body (infer, completions, blocks), in bytes.</summary>
    public long MaxJsonBodyBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Longest request target (path and query) the gateway forwards, in bytes; longer → 414 problem+json. Kestrel's
    /// own request-line cap is set well above it (<see cref="KestrelRequestLineBytes"/>) so the refusal has a body.
    /// </summary>
    public int MaxRequestTargetBytes { get; set; } = 8 * 1024;

    /// <summary>Kestrel's request-line cap: past it Kestrel itself answers a bodiless 414.</summary>
    public int KestrelRequestLineBytes => Math.Max(64 * 1024, MaxRequestTargetBytes + 1024);

    /// <summary>Cap on a model upload body, in bytes.</summary>
    public long MaxUploadBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Interval of the active health probes of every replica's <c>/health</c>.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout of one active health probe, and of each dependency check behind <c>/health</c>.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a replica stays out of rotation after passive health marked it unhealthy.</summary>
    public TimeSpan ReactivationPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The <c>Retry-After</c> seconds sent with a 503.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>API keys; when empty, auth is off (local development).</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>Default per-key rate limit in requests per second; 0 turns rate limiting off.</summary>
    public int RateLimitPerSecond { get; set; }

    /// <summary>Burst allowed above the per-second rate (token bucket size); defaults to the rate.</summary>
    public int RateLimitBurst { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HoldTimeout < TimeSpan.Zero)
        {
            yield return new ValidationResult("Gateway:HoldTimeout must not be negative.", [nameof(HoldTimeout)]);
        }

        if (DefaultDeadline <= TimeSpan.Zero || DefaultDeadline > ServiceDefaults.RequestDeadline.Longest)
        {
            yield return new ValidationResult("Gateway:DefaultDeadline must be positive and at most a day.", [nameof(DefaultDeadline)]);
        }

        if (LatencyAllowance < TimeSpan.Zero)
        {
            yield return new ValidationResult("Gateway:LatencyAllowance must not be negative.", [nameof(LatencyAllowance)]);
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Gateway:RequestTimeout must be positive.", [nameof(RequestTimeout)]);
        }

        if (MaxRequestTargetBytes < 256)
        {
            yield return new ValidationResult("Gateway:MaxRequestTargetBytes must be at least 256.", [nameof(MaxRequestTargetBytes)]);
        }

        if (MaxJsonBodyBytes <= 0 || MaxUploadBodyBytes <= 0)
        {
            yield return new ValidationResult("Gateway:MaxJsonBodyBytes and Gateway:MaxUploadBodyBytes must be positive.");
        }

        if (HealthCheckInterval <= TimeSpan.Zero || HealthCheckTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Gateway:HealthCheckInterval and Gateway:HealthCheckTimeout must be positive.");
        }

        if (RateLimitPerSecond < 0 || RateLimitBurst < 0)
        {
            yield return new ValidationResult("Gateway:RateLimitPerSecond and Gateway:RateLimitBurst must not be negative.");
        }

        for (var i = 0; i < ApiKeys.Count; i++)
        {
            var key = ApiKeys[i];
            if (string.IsNullOrWhiteSpace(key.Key) || key.Key.Length < 16)
            {
                yield return new ValidationResult($"Gateway:ApiKeys:{i}:Key must be at least 16 characters.");
            }

            if (key.Role is not (ApiKeyOptions.AdminRole or ApiKeyOptions.UserRole))
            {
                yield return new ValidationResult($"Gateway:ApiKeys:{i}:Role must be '{ApiKeyOptions.AdminRole}' or '{ApiKeyOptions.UserRole}', not '{key.Role}'.");
            }

            if (key.RateLimitPerSecond < 0)
            {
                yield return new ValidationResult($"Gateway:ApiKeys:{i}:RateLimitPerSecond must not be negative.");
            }
        }
    }
}
