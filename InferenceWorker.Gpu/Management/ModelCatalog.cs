using BenchPlatform.InferenceWorker.Caching;
using BenchPlatform.InferenceWorker.Registry;
using BenchPlatform.InferenceWorker.Sessions;

namespace BenchPlatform.InferenceWorker.Management;

/// <summary>
/// Adding and removing models: upload verifies the bytes load in ONNX Runtime before anything is stored,
/// then stages the blob (temp file, fsync), publishes it and records the version; delete removes the rows,
/// unreferenced blobs, loaded sessions and cached predictions.
/// </summary>
public sealed partial class ModelCatalog(
    ModelRegistry registry, BlobStore blobs, ModelResolver resolver, ModelSessions sessions, PredictionCache cache, ILogger<ModelCatalog> logger)
{
    /// <summary>Registers <paramref name="bytes"/> as the next version of <paramref name="name"/>; throws <see cref="InvalidModelException"/> when it cannot be served.</summary>
    public async Task<ModelRecord> UploadAsync(string name, byte[] bytes, int? maxBatchSize, int? maxQueueDelayMicroseconds, CancellationToken cancellationToken)
    {
        var (inputs, outputs) = OnnxInspector.Verify(bytes);
        using var staged = await blobs.StageAsync(bytes, cancellationToken);
        var record = await registry.AddVersionAsync(name, staged, inputs, outputs, maxBatchSize, maxQueueDelayMicroseconds, cancellationToken);
        resolver.Invalidate(name);
        LogUploaded(logger, name, record.Version, record.Sha256, record.SizeBytes);
        return record;
    }

    /// <summary>Deletes every version of <paramref name="name"/>; false when it was not registered.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var deleted = await registry.DeleteAsync(name, cancellationToken);
        resolver.Invalidate(name);
        sessions.Unload(name);
        await cache.InvalidateAsync(name);
        if (deleted.Count > 0)
        {
            LogDeleted(logger, name, deleted.Count);
        }

        return deleted.Count > 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered model {Model} v{Version} (sha256 {Sha256}, {Bytes} bytes)")]
    private static partial void LogUploaded(ILogger logger, string model, int version, string sha256, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted model {Model} ({Versions} versions)")]
    private static partial void LogDeleted(ILogger logger, string model, int versions);
}
