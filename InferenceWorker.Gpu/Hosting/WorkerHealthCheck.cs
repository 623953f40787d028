using BenchPlatform.InferenceWorker.Sessions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Hosting;

/// <summary>Start-up progress, the execution provider and why, what is loaded and what waits in its queues: unhealthy until ready.</summary>
internal sealed class WorkerHealthCheck(
    WorkerReadiness readiness, ExecutionProviderChoice provider, ModelSessions sessions, IOptions<InferenceOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["execution_provider"] = provider.ShortName,
            ["execution_provider_reason"] = provider.Reason,
            ["intra_op_threads"] = options.Value.IntraOpThreads,
            ["optimization"] = options.Value.Optimization,
            ["loaded_models"] = sessions.Loaded.Select(m => $"{m.Record.Name}/{m.Record.Version}").ToArray(),
            ["queued"] = sessions.Loaded.Where(m => m.Queued > 0).ToDictionary(m => $"{m.Record.Name}/{m.Record.Version}", m => m.Queued),
        };
        return Task.FromResult(readiness.IsReady
            ? HealthCheckResult.Healthy($"serving on {provider.ShortName}", data)
            : HealthCheckResult.Unhealthy(readiness.Describe(), data: data));
    }
}
