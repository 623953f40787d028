using System.Text.Json;
using BenchPlatform.SandboxRunner.Health;
using BenchPlatform.SandboxRunner.Pool;
using BenchPlatform.SandboxRunner.Registry;
using BenchPlatform.SandboxRunner.Runs;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BenchPlatform.SandboxRunner;

/// <summary>Registers the runner's services: options, the jail pool, the block runner, the registry and health.</summary>
public static class SandboxExtensions
{
    /// <summary>Adds everything the block endpoints need.</summary>
    public static IHostApplicationBuilder AddSandbox(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SandboxOptions>()
            .Bind(builder.Configuration.GetSection(SandboxOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.MaxTimeoutMs >= o.DefaultTimeoutMs, "Sandbox:DefaultTimeoutMs must not exceed Sandbox:MaxTimeoutMs.")
            .Validate(o => o.MinMemoryMb <= o.DefaultMemoryMb && o.DefaultMemoryMb <= o.MaxMemoryMb, "Sandbox:DefaultMemoryMb must lie between Sandbox:MinMemoryMb and Sandbox:MaxMemoryMb.")
            .Validate(o => o.PoolSize <= o.MaxJails, "Sandbox:PoolSize must not exceed Sandbox:MaxJails.")
            .Validate(o => File.Exists(o.PythonPath), "Sandbox:PythonPath names no file; point it at a system Python 3 (e.g. /usr/bin/python3).")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JailPool>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JailPool>());
        builder.Services.AddSingleton<BlockRunner>();
        builder.AddRegistryDataSource();
        builder.Services.AddSingleton<BlockRegistry>();
        builder.Services.AddHostedService<RegistryMigrator>();
        builder.Services.AddHealthChecks().AddCheck<SandboxHealthCheck>("sandbox");
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        return builder;
    }
}
