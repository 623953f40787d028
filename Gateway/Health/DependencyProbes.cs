using BenchPlatform.Gateway.Options;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace BenchPlatform.Gateway.Health;

/// <summary>
/// Real checks of the stack's stores for <c>/health</c>: a Redis PING over a shared multiplexer
/// (<c>ConnectionStrings:cache</c>) and a PostgreSQL <c>SELECT 1</c> (<c>ConnectionStrings:registry</c>).
/// </summary>
internal sealed partial class DependencyProbes : IAsyncDisposable
{
    private readonly string? _redisConnectionString;
    private readonly NpgsqlDataSource? _database;
    private readonly TimeSpan _timeout;
    private readonly ILogger<DependencyProbes> _logger;
    private readonly SemaphoreSlim _redisConnect = new(1, 1);
    private ConnectionMultiplexer? _redis;

    public DependencyProbes(IConfiguration configuration, IOptions<GatewayOptions> options, ILogger<DependencyProbes> logger)
    {
        _logger = logger;
        _timeout = options.Value.HealthCheckTimeout;
        _redisConnectionString = configuration.GetConnectionString("cache");
        var registry = configuration.GetConnectionString("registry");
        if (!string.IsNullOrWhiteSpace(registry))
        {
            var builder = new NpgsqlConnectionStringBuilder(registry)
            {
                Timeout = Math.Max(1, (int)Math.Ceiling(_timeout.TotalSeconds)),
                MaxPoolSize = 2,
            };
            _database = NpgsqlDataSource.Create(builder.ConnectionString);
        }
    }

    public async Task<bool> RedisConnectedAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(_redisConnectionString))
        {
            return false;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            var redis = await ConnectRedisAsync(timeout.Token);
            await redis.GetDatabase().PingAsync().WaitAsync(timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            LogDependencyDown(_logger, "redis", ex.Message);
            return false;
        }
    }

    public async Task<bool> DatabaseConnectedAsync(CancellationToken cancellationToken)
    {
        if (_database is null)
        {
            return false;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            await using var command = _database.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            LogDependencyDown(_logger, "database", ex.Message);
            return false;
        }
    }

    private async Task<ConnectionMultiplexer> ConnectRedisAsync(CancellationToken cancellationToken)
    {
        if (_redis is { } existing)
        {
            return existing;
        }

        await _redisConnect.WaitAsync(cancellationToken);
        try
        {
            if (_redis is null)
            {
                var options = ConfigurationOptions.Parse(_redisConnectionString!);
                options.AbortOnConnectFail = false;
                options.ConnectTimeout = (int)_timeout.TotalMilliseconds;
                options.SyncTimeout = (int)_timeout.TotalMilliseconds;
                options.AsyncTimeout = (int)_timeout.TotalMilliseconds;
                _redis = await ConnectionMultiplexer.ConnectAsync(options);
            }

            return _redis;
        }
        finally
        {
            _redisConnect.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        _redisConnect.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health: {Dependency} is not reachable: {Reason}")]
    private static partial void LogDependencyDown(ILogger logger, string dependency, string reason);
}
