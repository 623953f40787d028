using System.Security.Cryptography;
using BenchPlatform.InferenceWorker.Registry;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.TestCommon;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BenchPlatform.InferenceWorker.Tests.Registry;

/// <summary>
/// The start-up collection of blobs no version references (what a crash between the blob's rename and its row's commit
/// leaves), against a real PostgreSQL: orphans go, referenced blobs stay, a blob whose upload holds its lock is left alone.
/// </summary>
[Collection(InferenceCollection.Name)]
public sealed class BlobCollectionTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"benchplatform-collect-{Guid.NewGuid():N}");
    private NpgsqlDataSource _data = null!;
    private BlobStore _blobs = null!;
    private ModelRegistry _registry = null!;

    public async Task InitializeAsync()
    {
        _data = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("collect"));
        _blobs = new BlobStore(Options.Create(new StorageOptions { Root = _root }));
        _registry = new ModelRegistry(_data, _blobs, TimeProvider.System);
        await _registry.MigrateAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Collect_OrphanAndReferencedBlobs_RemovesOnlyTheOrphan()
    {
        var orphan = await CommitAsync(RandomNumberGenerator.GetBytes(1000));
        using var staged = await _blobs.StageAsync(RandomNumberGenerator.GetBytes(1000), CancellationToken.None);
        await _registry.AddVersionAsync("kept", staged, [], [], null, null, CancellationToken.None);

        var removed = await _registry.CollectUnreferencedBlobsAsync(CancellationToken.None);

        Assert.Equal([orphan], removed);
        Assert.False(_blobs.Exists(orphan));
        Assert.True(_blobs.Exists(staged.Sha256));
        Assert.Equal([staged.Sha256], _blobs.List());
    }

    [Fact]
    public async Task Collect_BlobWhoseLockIsHeld_IsLeftUntilTheLockIsReleased()
    {
        var inFlight = await CommitAsync(RandomNumberGenerator.GetBytes(1000));
        await using var uploader = await _data.OpenConnectionAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended($1, 0))", uploader))
        {
            take.Parameters.AddWithValue("inference-blob:" + inFlight);
            await take.ExecuteNonQueryAsync();
        }

        Assert.Empty(await _registry.CollectUnreferencedBlobsAsync(CancellationToken.None));
        Assert.True(_blobs.Exists(inFlight));

        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", uploader))
        {
            await release.ExecuteNonQueryAsync();
        }

        Assert.Equal([inFlight], await _registry.CollectUnreferencedBlobsAsync(CancellationToken.None));
        Assert.False(_blobs.Exists(inFlight));
    }

    public async Task DisposeAsync()
    {
        await _data.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private async Task<string> CommitAsync(byte[] bytes)
    {
        using var staged = await _blobs.StageAsync(bytes, CancellationToken.None);
        staged.Commit();
        return staged.Sha256;
    }
}
