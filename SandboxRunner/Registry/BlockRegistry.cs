using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace BenchPlatform.SandboxRunner.Registry;

/// <summary>
/// Named blocks in PostgreSQL (table <c>sandbox_blocks</c>), addressed by name or by the sha256 of their code,
/// with an in-process cache so a run by name costs no query after the first.
/// </summary>
internal sealed partial class BlockRegistry
{
    private readonly NpgsqlDataSource? _dataSource;
    private readonly ILogger<BlockRegistry> _logger;
    private readonly ConcurrentDictionary<string, StoredBlock> _cache = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _migration = new(1, 1);
    private volatile bool _migrated;

    /// <summary>Uses the data source of Aspire's Npgsql integration when <c>ConnectionStrings:registry</c> is set.</summary>
    public BlockRegistry(ILogger<BlockRegistry> logger, NpgsqlDataSource? dataSource = null)
    {
        _logger = logger;
        _dataSource = dataSource;
    }

    /// <summary>Whether a database is configured (ConnectionStrings__registry).</summary>
    public bool IsConfigured => _dataSource is not null;

    /// <summary>Creates the table when missing; safe to call repeatedly.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        if (_dataSource is null || _migrated)
        {
            return;
        }

        // Concurrent CREATE TABLE IF NOT EXISTS races in PostgreSQL's catalog: one migration at a time, here and
        // across processes (advisory lock held for the transaction).
        await _migration.WaitAsync(cancellationToken);
        try
        {
            if (_migrated)
            {
                return;
            }

            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7215006)", connection, transaction))
            {
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var command = new NpgsqlCommand(Schema, connection, transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            _migrated = true;
            LogMigrated(_logger);
        }
        finally
        {
            _migration.Release();
        }
    }

    private const string Schema = """
            CREATE TABLE IF NOT EXISTS sandbox_blocks (
                name        text PRIMARY KEY,
                language    text NOT NULL,
                entrypoint  text NOT NULL,
                code        text NOT NULL,
                sha256      char(64) NOT NULL,
                created_at  timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX IF NOT EXISTS sandbox_blocks_sha256 ON sandbox_blocks (sha256);
            """;

    /// <summary>Whether the database answers.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        if (_dataSource is null)
        {
            return false;
        }

        try
        {
            await using var command = _dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Stores (or replaces) a named block and returns it.</summary>
    public async Task<StoredBlock> UpsertAsync(string name, string language, string entrypoint, string code, CancellationToken cancellationToken)
    {
        var dataSource = _dataSource ?? throw new InvalidOperationException("No registry database is configured.");
        await MigrateAsync(cancellationToken);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
        await using var command = dataSource.CreateCommand("""
            INSERT INTO sandbox_blocks (name, language, entrypoint, code, sha256) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (name) DO UPDATE SET language = EXCLUDED.language, entrypoint = EXCLUDED.entrypoint,
                code = EXCLUDED.code, sha256 = EXCLUDED.sha256, created_at = now()
            RETURNING created_at
            """);
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = language });
        command.Parameters.Add(new() { Value = entrypoint });
        command.Parameters.Add(new() { Value = code });
        command.Parameters.Add(new() { Value = sha });
        var createdAt = (DateTime)(await command.ExecuteScalarAsync(cancellationToken))!;
        var block = new StoredBlock(name, language, entrypoint, code, sha, new DateTimeOffset(createdAt, TimeSpan.Zero));
        _cache[name] = block;
        _cache[sha] = block;
        return block;
    }

    /// <summary>Finds a block by name, or by the sha256 of its code (64 hex digits); null when unknown.</summary>
    public async Task<StoredBlock?> FindAsync(string nameOrSha, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(nameOrSha, out var cached))
        {
            return cached;
        }

        var dataSource = _dataSource ?? throw new InvalidOperationException("No registry database is configured.");
        await MigrateAsync(cancellationToken);
        var bySha = nameOrSha.Length == 64 && nameOrSha.All(char.IsAsciiHexDigit);
        await using var command = dataSource.CreateCommand(bySha
            ? "SELECT name, language, entrypoint, code, sha256, created_at FROM sandbox_blocks WHERE name = $1 OR sha256 = lower($1) ORDER BY name = $1 DESC, created_at DESC LIMIT 1"
            : "SELECT name, language, entrypoint, code, sha256, created_at FROM sandbox_blocks WHERE name = $1");
        command.Parameters.Add(new() { Value = nameOrSha });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var block = new StoredBlock(
            reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
            new DateTimeOffset(reader.GetDateTime(5), TimeSpan.Zero));
        // Names are cached only when they still name this block; a sha always names the same code.
        _cache[block.Sha256] = block;
        if (block.Name == nameOrSha)
        {
            _cache[block.Name] = block;
        }

        return block;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Block registry table is ready")]
    private static partial void LogMigrated(ILogger logger);
}
