namespace BenchPlatform.InferenceWorker.Sessions;

/// <summary>A loaded model held for one request; dispose to let it be unloaded.</summary>
public sealed class ModelLease(LoadedModel model, bool loadedNow) : IDisposable
{
    private int _disposed;

    /// <summary>The model.</summary>
    public LoadedModel Model { get; } = model;

    /// <summary>Whether this request's call loaded it (model cold start).</summary>
    public bool LoadedNow { get; } = loadedNow;

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Model.Release();
        }
    }
}
