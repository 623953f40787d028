using System.Text.Json;
using BenchPlatform.InferenceWorker.Caching;
using BenchPlatform.InferenceWorker.Hosting;
using BenchPlatform.InferenceWorker.Management;
using BenchPlatform.InferenceWorker.Predict;
using BenchPlatform.InferenceWorker.Registry;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.InferenceWorker.Sessions;
using BenchPlatform.InferenceWorker.Telemetry;
using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker;

/// <summary>Registration of the ONNX serving feature: registry, blob store, sessions, batching, cache, health, start-up.</summary>
public static class InferenceWorkerExtensions
{
    /// <summary>
    /// Adds the worker's services. Reads <c>ConnectionStrings:registry</c> (required), <c>ConnectionStrings:cache</c>
    /// (optional), <c>Storage:Root</c> and the <c>Inference</c> section, validated at start.
    /// </summary>
    public static TBuilder AddInferenceWorker<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<InferenceOptions>()
            .Bind(builder.Configuration.GetSection(InferenceOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<StorageOptions>()
            .Bind(builder.Configuration.GetSection(StorageOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Root), "Storage:Root must name a folder for model blobs and the optimized-model cache.")
            .ValidateOnStart();

        if (!builder.AddRegistryDataSource())
        {
            throw new InvalidOperationException("ConnectionStrings:registry (environment ConnectionStrings__registry) must hold the PostgreSQL connection string of the model registry.");
        }

        // A prediction never waits on the cache for more than half a second; without a cache it is disabled.
        builder.AddCacheClient(TimeSpan.FromMilliseconds(500));
        services.TryAddSingletonTimeProvider();
        services.AddSingleton(sp => ExecutionProviderSelector.Choose(
            sp.GetRequiredService<IOptions<InferenceOptions>>().Value, Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES")));
        services.AddSingleton<UploadCrashPoints>();
        services.AddSingleton<BlobStore>();
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<ModelResolver>();
        services.AddSingleton<SessionFactory>();
        services.AddSingleton<ModelSessions>();
        services.AddSingleton<ModelWarmup>();
        services.AddSingleton<PredictionCache>();
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<SampleRegistration>();
        services.AddSingleton<RequestMemory>();
        services.AddSingleton<InferenceMetrics>();
        services.AddSingleton<WorkerReadiness>();
        services.AddHostedService<WorkerStartup>();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, InferenceJson.Default);
        });
        services.AddHealthChecks()
            .AddCheck<WorkerHealthCheck>("worker")
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<RedisHealthCheck>("redis");
        return builder;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
