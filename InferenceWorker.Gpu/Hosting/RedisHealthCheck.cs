using BenchPlatform.InferenceWorker.Caching;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BenchPlatform.InferenceWorker.Hosting;

/// <summary>The prediction cache's Redis: disconnected is degraded (predictions go on uncached), never unhealthy.</summary>
internal sealed class RedisHealthCheck(PredictionCache cache) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = cache.State;
        var data = new Dictionary<string, object> { ["redis"] = state };
        return Task.FromResult(state == "disconnected"
            ? HealthCheckResult.Degraded("Redis is unreachable; predictions are served uncached until it returns", data: data)
            : HealthCheckResult.Healthy(state == "disabled" ? "no prediction cache configured" : "prediction cache connected", data));
    }
}
