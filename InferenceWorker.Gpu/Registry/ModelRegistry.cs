using System.Text.Json;
using Npgsql;

namespace BenchPlatform.InferenceWorker.Registry;

/// <summary>
/// Model versions in PostgreSQL (tables <c>inference_models</c>, <c>inference_model_names</c>), with their
/// bytes in the <see cref="BlobStore"/>. Version numbers per name only grow, even across deletes, so a
/// re-uploaded model never shares a version (or a cache key) with the deleted one.
/// </summary>
public sealed class ModelRegistry(NpgsqlDataSource dataSource, BlobStore blobs, TimeProvider time, UploadCrashPoints? crash = null)
{
    private const string Columns = "name, version, sha256, size_bytes, inputs, outputs, created_at, max_batch_size, max_queue_delay_us";

    /// <summary>Creates or updates the schema (idempotent; safe when several replicas start at once).</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, "SELECT pg_advisory_xact_lock($1)", cancellationToken, RegistryMigrations.LockKey);
        await Execute(connection, "CREATE TABLE IF NOT EXISTS inference_migrations (id integer PRIMARY KEY, applied_at timestamptz NOT NULL)", cancellationToken);
        await using (var applied = new NpgsqlCommand("SELECT coalesce(max(id), 0) FROM inference_migrations", connection))
        {
            var last = (int)(await applied.ExecuteScalarAsync(cancellationToken))!;
            for (var id = last + 1; id <= RegistryMigrations.Scripts.Length; id++)
            {
                await Execute(connection, RegistryMigrations.Scripts[id - 1], cancellationToken);
                await Execute(connection, "INSERT INTO inference_migrations (id, applied_at) VALUES ($1, $2)", cancellationToken, id, time.GetUtcNow());
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Publishes a verified blob and records it as the next version of <paramref name="name"/>. Concurrent
    /// uploads of one name get consecutive versions (the name's row lock orders them).
    /// </summary>
    public async Task<ModelRecord> AddVersionAsync(
        string name, StagedBlob blob, IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs,
        int? maxBatchSize, int? maxQueueDelayMicroseconds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Execute(connection, "SELECT pg_advisory_lock(hashtextextended($1, 0))", cancellationToken, BlobLock(blob.Sha256));
        try
        {
            blob.Commit();
            crash?.Reach(UploadCrashPoints.AfterRename);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            int version;
            await using (var next = new NpgsqlCommand(
                "INSERT INTO inference_model_names (name, last_version) VALUES ($1, 1) " +
                "ON CONFLICT (name) DO UPDATE SET last_version = inference_model_names.last_version + 1 RETURNING last_version", connection))
            {
                next.Parameters.AddWithValue(name);
                version = (int)(await next.ExecuteScalarAsync(cancellationToken))!;
            }

            var record = new ModelRecord(name, version, blob.Sha256, blob.SizeBytes, inputs, outputs, time.GetUtcNow(), maxBatchSize, maxQueueDelayMicroseconds);
            await using (var insert = new NpgsqlCommand(
                $"INSERT INTO inference_models ({Columns}) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9)", connection))
            {
                insert.Parameters.AddWithValue(record.Name);
                insert.Parameters.AddWithValue(record.Version);
                insert.Parameters.AddWithValue(record.Sha256);
                insert.Parameters.AddWithValue(record.SizeBytes);
                insert.Parameters.AddWithValue(JsonSerializer.Serialize(record.Inputs, RegistryJson.Default.IReadOnlyListTensorSpec));
                insert.Parameters.AddWithValue(JsonSerializer.Serialize(record.Outputs, RegistryJson.Default.IReadOnlyListTensorSpec));
                insert.Parameters.AddWithValue(record.CreatedAt);
                insert.Parameters.AddWithValue((object?)record.MaxBatchSize ?? DBNull.Value);
                insert.Parameters.AddWithValue((object?)record.MaxQueueDelayMicroseconds ?? DBNull.Value);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            crash?.Reach(UploadCrashPoints.BeforeCommit);
            await transaction.CommitAsync(cancellationToken);
            return record;
        }
        finally
        {
            await Execute(connection, "SELECT pg_advisory_unlock(hashtextextended($1, 0))", CancellationToken.None, BlobLock(blob.Sha256));
        }
    }

    /// <summary>The latest version of <paramref name="name"/>, or null.</summary>
    public async Task<ModelRecord?> GetLatestAsync(string name, CancellationToken cancellationToken)
    {
        var found = await QueryAsync($"SELECT {Columns} FROM inference_models WHERE name = $1 ORDER BY version DESC LIMIT 1", cancellationToken, name);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>One version of <paramref name="name"/>, or null.</summary>
    public async Task<ModelRecord?> GetAsync(string name, int version, CancellationToken cancellationToken)
    {
        var found = await QueryAsync($"SELECT {Columns} FROM inference_models WHERE name = $1 AND version = $2", cancellationToken, name, version);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>Every version of <paramref name="name"/>, oldest first.</summary>
    public Task<List<ModelRecord>> GetVersionsAsync(string name, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM inference_models WHERE name = $1 ORDER BY version", cancellationToken, name);

    /// <summary>The latest version of every model, by name.</summary>
    public Task<List<ModelRecord>> ListLatestAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT DISTINCT ON (name) {Columns} FROM inference_models ORDER BY name, version DESC", cancellationToken);

    /// <summary>
    /// Deletes every version of <paramref name="name"/> and then each blob no version references any more.
    /// Returns the deleted versions (empty when the name was unknown).
    /// </summary>
    public async Task<List<ModelRecord>> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var deleted = await QueryAsync($"DELETE FROM inference_models WHERE name = $1 RETURNING {Columns}", cancellationToken, name);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var sha in deleted.Select(r => r.Sha256).Distinct())
        {
            await Execute(connection, "SELECT pg_advisory_lock(hashtextextended($1, 0))", cancellationToken, BlobLock(sha));
            try
            {
                await DeleteBlobIfUnreferencedAsync(connection, sha, cancellationToken);
            }
            finally
            {
                await Execute(connection, "SELECT pg_advisory_unlock(hashtextextended($1, 0))", CancellationToken.None, BlobLock(sha));
            }
        }

        return deleted;
    }

    /// <summary>
    /// Deletes the committed blobs that no version references: what a crash between publishing a blob and committing its
    /// row leaves behind. A blob whose upload or delete holds its lock right now is left alone. Returns the hashes removed.
    /// </summary>
    public async Task<List<string>> CollectUnreferencedBlobsAsync(CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var sha in blobs.List().ToList())
        {
            await using (var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", connection))
            {
                tryLock.Parameters.AddWithValue(BlobLock(sha));
                if (!(bool)(await tryLock.ExecuteScalarAsync(cancellationToken))!)
                {
                    continue;
                }
            }

            try
            {
                if (await DeleteBlobIfUnreferencedAsync(connection, sha, cancellationToken))
                {
                    removed.Add(sha);
                }
            }
            finally
            {
                await Execute(connection, "SELECT pg_advisory_unlock(hashtextextended($1, 0))", CancellationToken.None, BlobLock(sha));
            }
        }

        return removed;
    }

    /// <summary>Whether no model was ever registered (names survive deletes, so a user's deletions stick).</summary>
    public async Task<bool> IsPristineAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT NOT EXISTS (SELECT 1 FROM inference_model_names)");
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Runs <paramref name="action"/> while holding a database-wide advisory lock named <paramref name="lockName"/> (one replica at a time).</summary>
    public async Task RunExclusiveAsync(string lockName, Func<Task> action, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Execute(connection, "SELECT pg_advisory_lock(hashtextextended($1, 0))", cancellationToken, lockName);
        try
        {
            await action();
        }
        finally
        {
            await Execute(connection, "SELECT pg_advisory_unlock(hashtextextended($1, 0))", CancellationToken.None, lockName);
        }
    }

    /// <summary>Whether PostgreSQL answers.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await Execute(connection, "SELECT 1", cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string BlobLock(string sha256) => "inference-blob:" + sha256;

    /// <summary>Deletes the blob when no version references it; the caller holds its lock. Returns whether it was deleted.</summary>
    private async Task<bool> DeleteBlobIfUnreferencedAsync(NpgsqlConnection connection, string sha256, CancellationToken cancellationToken)
    {
        await using var references = new NpgsqlCommand("SELECT count(*) FROM inference_models WHERE sha256 = $1", connection);
        references.Parameters.AddWithValue(sha256);
        if ((long)(await references.ExecuteScalarAsync(cancellationToken))! != 0)
        {
            return false;
        }

        blobs.Delete(sha256);
        return true;
    }

    private async Task<List<ModelRecord>> QueryAsync(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        var records = new List<ModelRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new ModelRecord(
                reader.GetString(0),
                reader.GetInt32(1),
                reader.GetString(2),
                reader.GetInt64(3),
                JsonSerializer.Deserialize(reader.GetString(4), RegistryJson.Default.IReadOnlyListTensorSpec)!,
                JsonSerializer.Deserialize(reader.GetString(5), RegistryJson.Default.IReadOnlyListTensorSpec)!,
                reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetInt32(7),
                reader.IsDBNull(8) ? null : reader.GetInt32(8)));
        }

        return records;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
