using System.Security.Cryptography;
using BenchPlatform.InferenceWorker.Registry;
using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Tests.Registry;

public sealed class BlobStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"benchplatform-blobs-{Guid.NewGuid():N}");

    private BlobStore Store() => new(Options.Create(new StorageOptions { Root = _root }));

    [Fact]
    public async Task Stage_BeforeCommit_TheBlobIsNotVisibleUnderItsHash()
    {
        var store = Store();
        var bytes = RandomNumberGenerator.GetBytes(100_000);

        using var staged = await store.StageAsync(bytes, CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), staged.Sha256);
        Assert.False(store.Exists(staged.Sha256));
        Assert.False(File.Exists(store.PathOf(staged.Sha256)));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(staged.TempPath));
    }

    [Fact]
    public async Task Commit_PublishesTheWholeFileAndLeavesNoTempBehind()
    {
        var store = Store();
        var bytes = RandomNumberGenerator.GetBytes(100_000);

        using (var staged = await store.StageAsync(bytes, CancellationToken.None))
        {
            staged.Commit();
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(store.PathOf(sha)));
        Assert.Equal([store.PathOf(sha)], Directory.GetFiles(Path.Combine(_root, "blobs")));
    }

    [Fact]
    public async Task Dispose_WithoutCommit_RemovesTheTempFile()
    {
        var store = Store();

        using (await store.StageAsync(new byte[] { 1, 2, 3 }, CancellationToken.None))
        {
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "blobs")));
    }

    [Fact]
    public async Task Commit_SameBytesTwice_KeepsOneBlob()
    {
        var store = Store();
        var bytes = RandomNumberGenerator.GetBytes(1000);

        for (var i = 0; i < 2; i++)
        {
            using var staged = await store.StageAsync(bytes, CancellationToken.None);
            staged.Commit();
        }

        Assert.Single(Directory.GetFiles(Path.Combine(_root, "blobs")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
