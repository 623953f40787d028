using BenchPlatform.SandboxRunner.Jail;
using BenchPlatform.SandboxRunner.Pool;
using BenchPlatform.SandboxRunner.Registry;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BenchPlatform.SandboxRunner.Health;

/// <summary>
/// Readiness of the runner: healthy when jails start with every isolation feature, degraded when some are missing
/// (only with <c>Sandbox:AllowDegraded</c>) or the registry is down, unhealthy when no jail can start.
/// The data lists the active and missing features, the pool and the registry.
/// </summary>
internal sealed class SandboxHealthCheck(JailPool pool, BlockRegistry registry) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var database = registry.IsConfigured
            ? await registry.PingAsync(cancellationToken) ? "connected" : "disconnected"
            : "not_configured";
        var data = new Dictionary<string, object>
        {
            ["sandbox"] = pool.Unavailable is null ? "ready" : "unavailable",
            ["mode"] = pool.Mode,
            ["features"] = pool.ActiveFeatures,
            ["missing_features"] = pool.MissingFeatures,
            ["lost"] = pool.MissingFeatures.ToDictionary(f => f, JailFeatures.Lost),
            ["modules"] = pool.PreloadedModules,
            ["pool"] = new Dictionary<string, int> { ["idle"] = pool.IdleCount, ["live"] = pool.LiveCount },
            ["database"] = database,
        };
        if (pool.Unavailable is not null)
        {
            return HealthCheckResult.Unhealthy($"No jail can start: {pool.Unavailable}", data: data);
        }

        if (pool.MissingFeatures.Count > 0)
        {
            return HealthCheckResult.Degraded($"Jails run {pool.Mode}, without {string.Join(", ", pool.MissingFeatures)}", data: data);
        }

        return database == "disconnected"
            ? HealthCheckResult.Degraded("The block registry database is not answering; ad-hoc runs work.", data: data)
            : HealthCheckResult.Healthy("Jails ready with every isolation feature.", data);
    }
}
