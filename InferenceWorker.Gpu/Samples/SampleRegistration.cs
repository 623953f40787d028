using BenchPlatform.InferenceWorker.Management;
using BenchPlatform.InferenceWorker.Registry;

namespace BenchPlatform.InferenceWorker.Samples;

/// <summary>
/// Registers <see cref="SampleModels.All"/> when <c>Inference:RegisterSamples</c> is on and no model was ever
/// registered. Replicas starting together take a database advisory lock, so the samples are added once.
/// </summary>
public sealed partial class SampleRegistration(ModelRegistry registry, ModelCatalog catalog, ILogger<SampleRegistration> logger)
{
    /// <summary>Registers the samples into a pristine registry; returns how many were added.</summary>
    public async Task<int> RegisterIfPristineAsync(CancellationToken cancellationToken)
    {
        var added = 0;
        await registry.RunExclusiveAsync("inference-samples", async () =>
        {
            if (!await registry.IsPristineAsync(cancellationToken))
            {
                return;
            }

            foreach (var (name, build) in SampleModels.All)
            {
                await catalog.UploadAsync(name, build(), null, null, cancellationToken);
                added++;
            }

            LogRegistered(logger, added);
        }, cancellationToken);
        return added;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered {Count} sample models into the empty registry")]
    private static partial void LogRegistered(ILogger logger, int count);
}
