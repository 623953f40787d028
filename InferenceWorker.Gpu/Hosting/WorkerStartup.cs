using System.Diagnostics;
using System.Net.Sockets;
using BenchPlatform.InferenceWorker.Registry;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.InferenceWorker.Sessions;
using BenchPlatform.InferenceWorker.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BenchPlatform.InferenceWorker.Hosting;

/// <summary>
/// Start-up in order: registry migrations (retried until PostgreSQL answers), blobs no version references removed (a
/// crash mid-upload), sample registration when configured, then each model of the preload list loaded and run once;
/// only then is the replica ready.
/// </summary>
internal sealed partial class WorkerStartup(
    IServiceProvider services, WorkerReadiness readiness, ExecutionProviderChoice provider, IOptions<InferenceOptions> options,
    InferenceMetrics metrics, TimeProvider time, ILogger<WorkerStartup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Wall-clock phases of this process's start (not the TimeProvider's time, which tests may fake).
        var processStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        var runtimeMs = (DateTime.UtcNow - processStart).TotalMilliseconds;
        var phase = Stopwatch.StartNew();
        LogProvider(logger, provider.Provider, provider.Reason, options.Value.IntraOpThreads, options.Value.Optimization);
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, options.Value.MinWorkerThreads), io);
        var registry = services.GetRequiredService<ModelRegistry>();
        readiness.Step("migrating the registry");
        while (true)
        {
            try
            {
                await registry.MigrateAsync(stoppingToken);
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                LogDatabaseWait(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }

        readiness.Step("collecting unreferenced blobs");
        foreach (var sha in await registry.CollectUnreferencedBlobsAsync(stoppingToken))
        {
            LogBlobCollected(logger, sha);
        }

        if (options.Value.RegisterSamples)
        {
            readiness.Step("registering sample models");
            await services.GetRequiredService<SampleRegistration>().RegisterIfPristineAsync(stoppingToken);
        }

        var registryMs = phase.Elapsed.TotalMilliseconds;
        phase.Restart();
        var resolver = services.GetRequiredService<ModelResolver>();
        var warmup = services.GetRequiredService<ModelWarmup>();
        foreach (var name in options.Value.Preload)
        {
            readiness.Step($"preloading {name}");
            var record = await resolver.ResolveAsync(name, null, stoppingToken);
            if (record is null)
            {
                LogPreloadMissing(logger, name);
                continue;
            }

            var result = await warmup.WarmAsync(record, stoppingToken);
            LogPreloaded(logger, name, result.LoadMs, result.FirstRunMs ?? -1, result.OptimizedCache);
        }

        var preloadMs = phase.Elapsed.TotalMilliseconds;
        var readyMs = (DateTime.UtcNow - processStart).TotalMilliseconds;
        metrics.ColdStart("runtime", runtimeMs);
        metrics.ColdStart("registry", registryMs);
        metrics.ColdStart("preload", preloadMs);
        metrics.ColdStart("ready", readyMs);
        readiness.MarkReady();
        // What the JIT compiled before ready: code ReadyToRun did not cover (a package crossgen skipped, generics over
        // our types), the first thing to look at when start-up CPU grows.
        LogReady(logger, readyMs, runtimeMs, registryMs, preloadMs, System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Execution provider {Provider}: {Reason} (intra-op threads {Threads}, optimization {Optimization})")]
    private static partial void LogProvider(ILogger logger, string provider, string reason, int threads, string optimization);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for the registry database: {Error}")]
    private static partial void LogDatabaseWait(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed blob {Sha256}: no model version references it (an upload cut short)")]
    private static partial void LogBlobCollected(ILogger logger, string sha256);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Preload model {Model} is not registered; skipped")]
    private static partial void LogPreloadMissing(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Preloaded {Model}: load {LoadMs:0.0} ms, first run {RunMs:0.0} ms, optimized cache {Cache}")]
    private static partial void LogPreloaded(ILogger logger, string model, double loadMs, double runMs, string cache);

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Inference worker ready {ReadyMs:0} ms after its process started: runtime {RuntimeMs:0} ms, registry {RegistryMs:0} ms, preload {PreloadMs:0} ms; the JIT compiled {JittedMethods} methods in {JitMs:0} ms")]
    private static partial void LogReady(ILogger logger, double readyMs, double runtimeMs, double registryMs, double preloadMs, long jittedMethods, double jitMs);
}
