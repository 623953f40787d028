using BenchPlatform.InferenceWorker.Registry;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BenchPlatform.InferenceWorker.Hosting;

/// <summary>The registry's PostgreSQL: unreachable is degraded (loaded models keep serving; uploads wait).</summary>
internal sealed class DatabaseHealthCheck(ModelRegistry registry) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        var up = await registry.PingAsync(timeout.Token);
        var data = new Dictionary<string, object> { ["database"] = up ? "connected" : "disconnected" };
        return up
            ? HealthCheckResult.Healthy("registry connected", data)
            : HealthCheckResult.Degraded("PostgreSQL is unreachable; loaded models keep serving, uploads and unknown models wait", data: data);
    }
}
