using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// Uploaded LLMs in the worker's registry database (table <c>inference_llms</c>, created on first use) with their
/// bytes content-addressed in <c>{Storage:Root}/llm-blobs/{sha256}.{gguf|zip}</c>, so every replica serves every
/// uploaded LLM: at start, and on the first request for a name it does not serve yet. Without a registry connection
/// (a worker configured with LLMs only) uploads stay local, as before.
/// </summary>
internal sealed partial class LlmRegistry(IServiceProvider services, IOptions<StorageOptions> storage, TimeProvider time, ILogger<LlmRegistry> logger)
{
    private const long SchemaLock = 0x1F_E4E0_0017;
    private readonly SemaphoreSlim _schema = new(1, 1);
    private bool _ready;

    private NpgsqlDataSource? Source => services.GetService<NpgsqlDataSource>();

    public bool Enabled => Source is not null;

    public string BlobPath(LlmRegistration entry) =>
        Path.Combine(storage.Value.Root, "llm-blobs", $"{entry.Sha256}.{entry.Format}");

    /// <summary>Stores <paramref name="file"/> as a blob and records it as <paramref name="name"/> (replacing an older record).</summary>
    public async Task<LlmRegistration?> RecordAsync(string name, string file, string format, CancellationToken cancellationToken)
    {
        if (Source is not { } source)
        {
            return null;
        }

        string sha;
        await using (var stream = File.OpenRead(file))
        {
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        }

        var entry = new LlmRegistration(name, sha, format, new FileInfo(file).Length, time.GetUtcNow());
        var blob = BlobPath(entry);
        if (!File.Exists(blob))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
            var temp = $"{blob}.{Guid.NewGuid():N}.tmp";
            File.Copy(file, temp);
            File.Move(temp, blob, overwrite: true);
        }

        await EnsureSchemaAsync(source, cancellationToken);
        await using var command = source.CreateCommand(
            "INSERT INTO inference_llms (name, sha256, format, size_bytes, created_at) VALUES ($1, $2, $3, $4, $5) " +
            "ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, format = EXCLUDED.format, size_bytes = EXCLUDED.size_bytes, created_at = EXCLUDED.created_at");
        command.Parameters.AddWithValue(entry.Name);
        command.Parameters.AddWithValue(entry.Sha256);
        command.Parameters.AddWithValue(entry.Format);
        command.Parameters.AddWithValue(entry.SizeBytes);
        command.Parameters.AddWithValue(entry.CreatedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
        LogRecorded(logger, name, sha, format);
        return entry;
    }

    public async Task<List<LlmRegistration>> ListAsync(CancellationToken cancellationToken) =>
        Source is { } source ? await QueryAsync(source, "SELECT name, sha256, format, size_bytes, created_at FROM inference_llms ORDER BY name", null, cancellationToken) : [];

    public async Task<LlmRegistration?> GetAsync(string name, CancellationToken cancellationToken) =>
        Source is { } source && (await QueryAsync(source, "SELECT name, sha256, format, size_bytes, created_at FROM inference_llms WHERE name = $1", name, cancellationToken)) is [var one]
            ? one
            : null;

    private async Task<List<LlmRegistration>> QueryAsync(NpgsqlDataSource source, string sql, string? name, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(source, cancellationToken);
        await using var command = source.CreateCommand(sql);
        if (name is not null)
        {
            command.Parameters.AddWithValue(name);
        }

        var found = new List<LlmRegistration>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(new LlmRegistration(reader.GetString(0), reader.GetString(1).Trim(), reader.GetString(2), reader.GetInt64(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return found;
    }

    private async Task EnsureSchemaAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await _schema.WaitAsync(cancellationToken);
        try
        {
            if (_ready)
            {
                return;
            }

            await using var connection = await source.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
            {
                lockCommand.Parameters.AddWithValue(SchemaLock);
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var create = new NpgsqlCommand(
                "CREATE TABLE IF NOT EXISTS inference_llms (name text PRIMARY KEY, sha256 char(64) NOT NULL, format text NOT NULL, size_bytes bigint NOT NULL, created_at timestamptz NOT NULL)",
                connection, transaction))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            _ready = true;
        }
        finally
        {
            _schema.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "LLM {Model} recorded in the registry: blob {Sha256} ({Format})")]
    private static partial void LogRecorded(ILogger logger, string model, string sha256, string format);
}
