namespace BenchPlatform.SandboxRunner.Registry;

/// <summary>Creates the registry table at start, retrying while the database comes up; runs without the registry keep working meanwhile.</summary>
internal sealed partial class RegistryMigrator(BlockRegistry registry, TimeProvider time, ILogger<RegistryMigrator> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!registry.IsConfigured)
        {
            LogNotConfigured(logger);
            return;
        }

        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await registry.MigrateAsync(stoppingToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRetry(logger, attempt, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), time, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No ConnectionStrings:registry: named blocks are unavailable, ad-hoc runs work")]
    private static partial void LogNotConfigured(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registry migration attempt {Attempt} failed: {Reason}")]
    private static partial void LogRetry(ILogger logger, int attempt, string reason);
}
