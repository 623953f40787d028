using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Registry;

/// <summary>
/// Content-addressed model bytes: <c>{Storage:Root}/blobs/{sha256}.onnx</c>. A blob is written to a
/// temp file in the same folder, fsynced, then renamed, so a reader never sees a half-written model. Temp files
/// carry the host and PID of their writer; at start the store removes those of this host's writers that are gone
/// (a crash mid-upload), never another live process's.
/// </summary>
public sealed class BlobStore
{
    private const string TempSuffix = ".tmp";
    private const int ENOSPC = 28;
    private const int EDQUOT = 122;
    private static readonly string Writer = $"{Environment.MachineName}-{Environment.ProcessId}";
    private readonly string _root;
    private readonly UploadCrashPoints? _crash;

    /// <summary>Creates the store over <see cref="StorageOptions.BlobsPath"/> and removes temp files that crashed writers left.</summary>
    public BlobStore(IOptions<StorageOptions> options, UploadCrashPoints? crash = null)
    {
        _root = options.Value.BlobsPath;
        _crash = crash;
        Directory.CreateDirectory(_root);
        RemoveOrphanedTempFiles();
    }

    /// <summary>The path a blob with this hash has (whether or not it exists).</summary>
    public string PathOf(string sha256) => Path.Combine(_root, sha256 + ".onnx");

    /// <summary>Whether the blob is committed.</summary>
    public bool Exists(string sha256) => File.Exists(PathOf(sha256));

    /// <summary>Writes <paramref name="bytes"/> to a new temp file in the store's folder, fsynced; returns a staged blob to commit or discard.</summary>
    public async Task<StagedBlob> StageAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes.Span));
        var temp = Path.Combine(_root, $".{sha256}.{Writer}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await file.WriteAsync(bytes, cancellationToken);
            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
            _crash?.Reach(UploadCrashPoints.AfterStage);
        }
        catch
        {
            // A failed write (a full disk, a cancelled upload) leaves no temp file behind.
            File.Delete(temp);
            throw;
        }

        return new StagedBlob(this, sha256, temp, bytes.Length);
    }

    /// <summary>Atomically publishes a staged file under its hash (a blob that already exists is kept: same bytes).</summary>
    internal void Commit(StagedBlob staged)
    {
        var target = PathOf(staged.Sha256);
        if (File.Exists(target))
        {
            File.Delete(staged.TempPath);
            return;
        }

        File.Move(staged.TempPath, target, overwrite: true);
        FsyncDirectory();
    }

    /// <summary>Whether <paramref name="exception"/> says the store's file system is full (ENOSPC, or a quota: EDQUOT).</summary>
    public static bool IsDiskFull(IOException exception) =>
        exception.HResult is ENOSPC or EDQUOT or unchecked((int)0x80070070) // ERROR_DISK_FULL on Windows
        || exception.InnerException is IOException inner && IsDiskFull(inner);

    /// <summary>The hashes of the committed blobs.</summary>
    public IEnumerable<string> List() =>
        Directory.EnumerateFiles(_root, "*.onnx")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => name is { Length: 64 } && name.All(char.IsAsciiHexDigitLower))
            .Cast<string>();

    /// <summary>Removes a committed blob.</summary>
    public void Delete(string sha256)
    {
        File.Delete(PathOf(sha256));
        FsyncDirectory();
    }

    /// <summary>Deletes <c>.{sha256}.{host}-{pid}.{id}.tmp</c> files of this host whose writer process no longer runs.</summary>
    private void RemoveOrphanedTempFiles()
    {
        var prefix = Environment.MachineName + "-";
        foreach (var temp in Directory.EnumerateFiles(_root, "*" + TempSuffix))
        {
            var parts = Path.GetFileName(temp).Split('.');
            if (parts.Length == 5 && parts[2].StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(parts[2].AsSpan(prefix.Length), out var pid) && !IsRunning(pid))
            {
                File.Delete(temp);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private void FsyncDirectory()
    {
        // Making the rename durable needs the directory entry flushed too; best effort where the OS refuses.
        try
        {
            using var directory = File.OpenHandle(_root, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.None);
            RandomAccess.FlushToDisk(directory);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
        }
    }
}
