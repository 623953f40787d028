using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The stack's two stores through Aspire's client integrations: the registry's PostgreSQL
/// (<c>ConnectionStrings:registry</c>, an <see cref="NpgsqlDataSource"/>) and the Redis cache
/// (<c>ConnectionStrings:cache</c>, an <see cref="IConnectionMultiplexer"/>), each registered only when its
/// connection string is set. Aspire's health checks are off: each service reports an unreachable store as degraded
/// in its own <c>/health</c> (loaded models and ad-hoc runs serve on), where Aspire's would say unhealthy.
/// The integrations hand each client the service's logger; what the clients log below warnings (every command Npgsql
/// runs, each step of a Redis connect) is left out unless <c>Logging:LogLevel:Npgsql</c> or
/// <c>Logging:LogLevel:StackExchange.Redis</c> asks for it: it buried the services' own logs in the dashboard, and
/// the JIT compiling each message's logging code cost a replica 90–220 ms of CPU to start (bench/worker-start-cpu.sh).
/// </summary>
public static class PlatformStores
{
    /// <summary>The connection name of the registry database.</summary>
    public const string Registry = "registry";

    /// <summary>The connection name of the cache.</summary>
    public const string Cache = "cache";

    /// <summary>Registers the registry's data source (with Npgsql's traces and metrics) when it is configured.</summary>
    /// <returns>Whether <c>ConnectionStrings:registry</c> is set.</returns>
    public static bool AddRegistryDataSource(this IHostApplicationBuilder builder, Action<NpgsqlDataSourceBuilder>? configure = null)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(Registry)))
        {
            return false;
        }

        builder.AddNpgsqlDataSource(Registry, settings => settings.DisableHealthChecks = true, configure);
        WarningsUnlessConfigured(builder, "Npgsql");
        return true;
    }

    /// <summary>
    /// Registers the cache's multiplexer when it is configured, so that an unreachable server never fails the start
    /// and never holds a caller past <paramref name="timeout"/>; it reconnects every 250 ms. Its tracing is off:
    /// the worker's cache spans carry the hit or miss, and the gateway's health pings would bury real traffic.
    /// </summary>
    /// <returns>Whether <c>ConnectionStrings:cache</c> is set.</returns>
    public static bool AddCacheClient(this IHostApplicationBuilder builder, TimeSpan timeout)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(Cache)))
        {
            return false;
        }

        var milliseconds = (int)Math.Ceiling(timeout.TotalMilliseconds);
        builder.AddRedisClient(Cache,
            settings =>
            {
                settings.DisableHealthChecks = true;
                settings.DisableTracing = true;
            },
            options =>
            {
                options.AbortOnConnectFail = false;
                options.ConnectTimeout = milliseconds;
                options.SyncTimeout = milliseconds;
                options.AsyncTimeout = milliseconds;
                options.ReconnectRetryPolicy = new LinearRetry(250);
            });
        WarningsUnlessConfigured(builder, "StackExchange.Redis");
        return true;
    }

    private static void WarningsUnlessConfigured(IHostApplicationBuilder builder, string category)
    {
        if (string.IsNullOrEmpty(builder.Configuration[$"Logging:LogLevel:{category}"]))
        {
            builder.Logging.AddFilter(category, LogLevel.Warning);
        }
    }
}
