using BenchPlatform.AppHost.Hosting.Resources;
using BenchPlatform.AppHost.Hosting.Servers;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>
/// The stack's PostgreSQL and Redis on this machine: started before the projects that wait for them, stopped after
/// them, killed when the AppHost exits before a graceful stop could finish.
/// </summary>
internal sealed class BackingServers(string stateFolder, AppHostOptions options, Func<string, ResourceLog> createLog, bool postgresPasswordExisted)
    : IAsyncDisposable
{
    private LocalPostgres? _postgres;
    private LocalRedis? _redis;

    /// <summary>Starts PostgreSQL on its port, in a durable data folder under the state folder; returns the ready line's detail.</summary>
    public async Task<string> StartPostgresAsync(PostgresServerResource postgres, CancellationToken cancellationToken)
    {
        var log = createLog(postgres.Name);
        var dataFolder = Path.Combine(stateFolder, postgres.Name, "data");
        if (File.Exists(Path.Combine(dataFolder, "PG_VERSION")) && !postgresPasswordExisted)
        {
            throw new InvalidOperationException($"{dataFolder} exists but its password is gone; delete {stateFolder} to start afresh.");
        }

        _postgres = await LocalPostgres.StartAsync(
            dataFolder, postgres.Port, postgres.Password, durable: true, log.Append,
            binFolder: LocalPostgres.FindBinFolder(options.PostgresSearchFolders), cancellationToken: cancellationToken);
        return $"postgres on 127.0.0.1:{postgres.Port}";
    }

    /// <summary>Creates <paramref name="database"/> in the started PostgreSQL when missing; returns the ready line's detail.</summary>
    public async Task<string> EnsureDatabaseAsync(PostgresDatabaseResource database, CancellationToken cancellationToken)
    {
        var postgres = _postgres ?? throw new InvalidOperationException($"PostgreSQL has not started for database '{database.DatabaseName}'.");
        await postgres.EnsureDatabaseAsync(database.DatabaseName, cancellationToken);
        return $"database '{database.DatabaseName}'";
    }

    /// <summary>Starts Redis (or what stands in for it) on its port; returns the ready line's detail.</summary>
    public async Task<string> StartRedisAsync(RedisResource redis, CancellationToken cancellationToken)
    {
        _redis = await LocalRedis.StartAsync(redis.Port, redis.Password, createLog(redis.Name).Append, cancellationToken: cancellationToken);
        return $"{_redis.Kind} on 127.0.0.1:{redis.Port}";
    }

    /// <summary>Stops Redis, then PostgreSQL.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    /// <summary>The last resort: kills Redis and asks PostgreSQL for a fast shutdown, killing it when that takes too long.</summary>
    public void Kill()
    {
        _redis?.Process.KillTree();
        if (_postgres is { Process.HasExited: false } postgres)
        {
            // A killed postmaster leaves its shared memory to recover; a fast shutdown is still the better end.
            ProcessSignals.Send(postgres.Process.Id, ProcessSignals.SigInt);
            if (!postgres.Process.WaitForExitAsync().Wait(TimeSpan.FromSeconds(5)))
            {
                postgres.Process.KillTree();
            }
        }
    }
}
