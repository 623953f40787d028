using System.IO.Compression;
using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// Brings registered LLMs into this replica's <see cref="LlmCatalog"/>: every one at start, and one by name on the first
/// request for it. A registration's blob is unpacked once per content hash into <c>{Storage:Root}/llm/.registered/{sha256}</c>
/// (written aside, then renamed: replicas sharing the folder race safely) and loaded from there.
/// </summary>
internal sealed partial class RegisteredLlms(LlmRegistry registry, LlmCatalog catalog, IOptions<StorageOptions> storage, ILogger<RegisteredLlms> logger)
{
    private readonly SemaphoreSlim _loading = new(1, 1);

    /// <summary>Loads every registered LLM not served yet; one that cannot be loaded is logged and skipped.</summary>
    public async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        if (!registry.Enabled)
        {
            return;
        }

        List<LlmRegistration> entries;
        try
        {
            entries = await registry.ListAsync(cancellationToken);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            LogRegistryUnavailable(logger, e);
            return;
        }

        foreach (var entry in entries)
        {
            await LoadAsync(entry, cancellationToken);
        }
    }

    /// <summary>The LLM named <paramref name="name"/> when the registry has it (loading it now), else null.</summary>
    public async Task<LocalLlm?> TryLoadAsync(string name, CancellationToken cancellationToken)
    {
        if (!registry.Enabled)
        {
            return null;
        }

        LlmRegistration? entry;
        try
        {
            entry = await registry.GetAsync(name, cancellationToken);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            LogRegistryUnavailable(logger, e);
            return null;
        }

        return entry is null ? null : await LoadAsync(entry, cancellationToken);
    }

    private async Task<LocalLlm?> LoadAsync(LlmRegistration entry, CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (catalog.TryGetLocal(entry.Name, out var served))
            {
                return served;
            }

            var blob = registry.BlobPath(entry);
            if (!File.Exists(blob))
            {
                LogBlobMissing(logger, entry.Name, entry.Sha256);
                return null;
            }

            var folder = Path.Combine(storage.Value.Root, "llm", ".registered", entry.Sha256);
            if (!Directory.Exists(folder))
            {
                var staging = $"{folder}.{Guid.NewGuid():N}.tmp";
                Directory.CreateDirectory(staging);
                if (entry.Format == LlmRegistration.Gguf)
                {
                    File.Copy(blob, Path.Combine(staging, "model.gguf"));
                }
                else
                {
                    await ZipFile.ExtractToDirectoryAsync(blob, staging, overwriteFiles: false, cancellationToken);
                }

                try
                {
                    Directory.Move(staging, folder);
                }
                catch (IOException) when (Directory.Exists(folder))
                {
                    Directory.Delete(staging, recursive: true); // another replica unpacked it first
                }
            }

            var root = folder;
            if (Directory.GetFiles(root).Length == 0 && Directory.GetDirectories(root) is [var only])
            {
                root = only;
            }

            var model = catalog.LoadLocal(entry.Name, root);
            LogLoadedFromRegistry(logger, entry.Name, entry.Sha256);
            return model;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or System.Text.Json.JsonException or InvalidOperationException)
        {
            LogLoadFailed(logger, entry.Name, e);
            return null;
        }
        finally
        {
            _loading.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "LLM {Model} loaded from the registry (blob {Sha256})")]
    private static partial void LogLoadedFromRegistry(ILogger logger, string model, string sha256);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM {Model} is registered but its blob {Sha256} is missing from the blob folder")]
    private static partial void LogBlobMissing(ILogger logger, string model, string sha256);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registered LLM {Model} could not be loaded")]
    private static partial void LogLoadFailed(ILogger logger, string model, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The registry is unreachable: registered LLMs are not loaded now")]
    private static partial void LogRegistryUnavailable(ILogger logger, Exception exception);
}
