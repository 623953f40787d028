using BenchPlatform.Gateway.Options;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace BenchPlatform.Gateway.Health;

/// <summary>
/// Real checks of the stack's stores for <c>/health</c>: a Redis PING and a PostgreSQL <c>SELECT 1</c>, over the
/// clients Aspire's integrations registered (<see cref="PlatformStores"/>), each bounded by Gateway:HealthCheckTimeout.
/// </summary>
internal sealed partial class DependencyProbes(
    IOptions<GatewayOptions> options, ILogger<DependencyProbes> logger, NpgsqlDataSource? database = null, IConnectionMultiplexer? redis = null)
{
    private readonly TimeSpan _timeout = options.Value.HealthCheckTimeout;

    /// <summary>Registers the two clients the probes use: the registry's pool is kept to two connections.</summary>
    public static void AddStoreClients(IHostApplicationBuilder builder, TimeSpan timeout)
    {
        builder.AddRegistryDataSource(source => source.ConnectionStringBuilder.MaxPoolSize = 2);
        builder.AddCacheClient(timeout);
    }

    public async Task<bool> RedisConnectedAsync(CancellationToken cancellationToken)
    {
        if (redis is null)
        {
            return false;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            await redis.GetDatabase().PingAsync().WaitAsync(timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            LogDependencyDown(logger, "redis", ex.Message);
            return false;
        }
    }

    public async Task<bool> DatabaseConnectedAsync(CancellationToken cancellationToken)
    {
        if (database is null)
        {
            return false;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            await using var command = database.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            LogDependencyDown(logger, "database", ex.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health: {Dependency} is not reachable: {Reason}")]
    private static partial void LogDependencyDown(ILogger logger, string dependency, string reason);
}
