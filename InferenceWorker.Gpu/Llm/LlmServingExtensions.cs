using BenchPlatform.InferenceWorker.Management;
using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>Registration of LLM serving: the catalog, its start-up loader, the upstream HTTP client and the metrics.</summary>
public static class LlmServingExtensions
{
    /// <summary>Adds LLM serving from the <c>Llm</c> configuration section, validated at start.</summary>
    public static TBuilder AddLlmServing<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<LlmOptions>()
            .Bind(builder.Configuration.GetSection(LlmOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>();
        services.AddOptions<StorageOptions>().Bind(builder.Configuration.GetSection(StorageOptions.SectionName));
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }

        services.AddSingleton<LlmCatalog>();
        services.AddSingleton<LlmRegistry>();
        services.AddSingleton<RegisteredLlms>();
        services.AddSingleton<IModelListSource>(sp => sp.GetRequiredService<LlmCatalog>());
        services.AddSingleton<UpstreamProxy>();
        services.AddSingleton<LlmMetrics>();
        services.AddHostedService<LlmStartup>();
        services.AddProblemDetails();
        return builder;
    }
}
