namespace BenchPlatform.InferenceWorker.Registry;

/// <summary>Model bytes written and fsynced to a temp file, not yet visible under their hash.</summary>
public sealed class StagedBlob : IDisposable
{
    private readonly BlobStore _store;
    private bool _committed;

    internal StagedBlob(BlobStore store, string sha256, string tempPath, long size)
    {
        _store = store;
        Sha256 = sha256;
        TempPath = tempPath;
        SizeBytes = size;
    }

    /// <summary>The lower-case hex SHA-256 of the bytes.</summary>
    public string Sha256 { get; }

    /// <summary>The temp file.</summary>
    public string TempPath { get; }

    /// <summary>The size in bytes.</summary>
    public long SizeBytes { get; }

    /// <summary>Publishes the blob under its hash.</summary>
    public void Commit()
    {
        _store.Commit(this);
        _committed = true;
    }

    /// <summary>Deletes the temp file when the blob was not committed.</summary>
    public void Dispose()
    {
        if (!_committed)
        {
            File.Delete(TempPath);
        }
    }
}
