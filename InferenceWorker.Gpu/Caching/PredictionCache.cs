using System.Diagnostics;
using BenchPlatform.ServiceDefaults;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BenchPlatform.InferenceWorker.Caching;

/// <summary>
/// The Redis prediction cache: key <c>prediction:{model}:{version}:{sha256 of the canonical inputs}</c>, value the
/// response's <c>outputs</c> JSON, TTL <see cref="InferenceOptions.CacheTtlSeconds"/>. When Redis is unreachable
/// every call is a quiet miss (predictions go on uncached); StackExchange.Redis reconnects by itself.
/// </summary>
public sealed partial class PredictionCache
{
    private readonly IConnectionMultiplexer? _redis;
    private readonly TimeSpan _ttl;
    private readonly ILogger<PredictionCache> _logger;

    /// <summary>
    /// Uses the multiplexer of Aspire's Redis client integration (<see cref="PlatformStores.AddCacheClient"/>);
    /// without one (no <c>ConnectionStrings:cache</c>), the cache is disabled.
    /// </summary>
    public PredictionCache(IOptions<InferenceOptions> options, ILogger<PredictionCache> logger, IConnectionMultiplexer? redis = null)
    {
        _logger = logger;
        _ttl = TimeSpan.FromSeconds(options.Value.CacheTtlSeconds);
        _redis = redis;
        if (_redis is not null)
        {
            _redis.ConnectionFailed += (_, e) => LogRedisDown(_logger, e.FailureType.ToString());
            _redis.ConnectionRestored += (_, _) => LogRedisBack(_logger);
        }
    }

    /// <summary><c>connected</c>, <c>disconnected</c>, or <c>disabled</c> when no Redis is configured.</summary>
    public string State => _redis is null ? "disabled" : _redis.IsConnected ? "connected" : "disconnected";

    /// <summary>Whether lookups reach Redis now.</summary>
    public bool Available => _redis?.IsConnected == true;

    /// <summary>The cache key of a prediction.</summary>
    public static string Key(string model, int version, string inputsSha256) => $"prediction:{model}:{version}:{inputsSha256}";

    /// <summary>The cached outputs JSON, or null on a miss or when Redis is unreachable.</summary>
    public async Task<byte[]?> GetAsync(string key)
    {
        if (!Available)
        {
            return null;
        }

        using var activity = StartSpan("GET");
        try
        {
            var value = (byte[]?)await _redis!.GetDatabase().StringGetAsync(key);
            activity?.SetTag("cache.hit", value is not null);
            return value;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            LogCacheError(_logger, ex.Message);
            return null;
        }
    }

    /// <summary>Stores outputs JSON without waiting for Redis.</summary>
    public void Set(string key, byte[] outputsJson)
    {
        if (!Available)
        {
            return;
        }

        using var activity = StartSpan("SET");
        try
        {
            _redis!.GetDatabase().StringSet(key, outputsJson, _ttl, flags: CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            LogCacheError(_logger, ex.Message);
        }
    }

    /// <summary>Deletes every cached prediction of <paramref name="model"/> (all versions). Best effort.</summary>
    public async Task InvalidateAsync(string model)
    {
        if (!Available)
        {
            return;
        }

        using var activity = StartSpan("SCAN+DEL");
        try
        {
            var database = _redis!.GetDatabase();
            foreach (var endpoint in _redis.GetEndPoints())
            {
                var server = _redis.GetServer(endpoint);
                if (!server.IsConnected || server.IsReplica)
                {
                    continue;
                }

                var batch = new List<RedisKey>(256);
                await foreach (var key in server.KeysAsync(pattern: $"prediction:{model}:*", pageSize: 500))
                {
                    batch.Add(key);
                    if (batch.Count == 256)
                    {
                        await database.KeyDeleteAsync([.. batch]);
                        batch.Clear();
                    }
                }

                if (batch.Count > 0)
                {
                    await database.KeyDeleteAsync([.. batch]);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogCacheError(_logger, ex.Message);
        }
    }

    /// <summary>A client span <c>redis {command}</c> tagged per the OpenTelemetry database conventions; null (free) when no listener samples it.</summary>
    private static Activity? StartSpan(string command)
    {
        if (!PlatformTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = PlatformTelemetry.ActivitySource.StartActivity($"redis {command}", ActivityKind.Client);
        activity?.SetTag("db.system", "redis");
        activity?.SetTag("db.operation", command);
        return activity;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis connection lost ({Failure}); predictions go on uncached until it returns")]
    private static partial void LogRedisDown(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis connection restored; the prediction cache is back")]
    private static partial void LogRedisBack(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Prediction cache call failed: {Error}")]
    private static partial void LogCacheError(ILogger logger, string error);
}
