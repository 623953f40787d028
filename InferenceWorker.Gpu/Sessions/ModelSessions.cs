using System.Collections.Concurrent;
using BenchPlatform.InferenceWorker.Registry;
using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Sessions;

/// <summary>
/// The process's loaded models: one session per model version, created on first use (or warm-up) and
/// shared by every request; beyond <see cref="InferenceOptions.MaxLoadedBytes"/> the least recently used
/// are unloaded (each disposed once its last request finishes).
/// </summary>
public sealed partial class ModelSessions(
    SessionFactory factory, IOptions<InferenceOptions> options, TimeProvider time, ILogger<ModelSessions> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<LoadedModel>>> _models = new();

    /// <summary>The models loaded now.</summary>
    public IReadOnlyList<LoadedModel> Loaded =>
        [.. _models.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully).Select(l => l.Value.Result)];

    /// <summary>Whether a model version is loaded.</summary>
    public bool IsLoaded(string name, int version) =>
        _models.TryGetValue(Key(name, version), out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully;

    /// <summary>The loaded session for <paramref name="record"/>, loading it when this process has not yet.</summary>
    public async Task<ModelLease> AcquireAsync(ModelRecord record, CancellationToken cancellationToken)
    {
        var key = Key(record.Name, record.Version);
        while (true)
        {
            var mine = new Lazy<Task<LoadedModel>>(() => Task.Run(() => Load(record), CancellationToken.None));
            var lazy = _models.GetOrAdd(key, mine);
            LoadedModel model;
            try
            {
                model = await lazy.Value.WaitAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                _models.TryRemove(new KeyValuePair<string, Lazy<Task<LoadedModel>>>(key, lazy));
                throw;
            }

            if (!model.TryAcquire())
            {
                _models.TryRemove(new KeyValuePair<string, Lazy<Task<LoadedModel>>>(key, lazy));
                continue;
            }

            model.Touch();
            var loadedNow = ReferenceEquals(lazy, mine);
            if (loadedNow)
            {
                EvictBeyondBudget(model);
            }

            return new ModelLease(model, loadedNow);
        }
    }

    /// <summary>Unloads every version of <paramref name="name"/> (after delete).</summary>
    public void Unload(string name)
    {
        foreach (var (key, lazy) in _models)
        {
            if (key.StartsWith(name + "/", StringComparison.Ordinal) && _models.TryRemove(new KeyValuePair<string, Lazy<Task<LoadedModel>>>(key, lazy)))
            {
                Release(lazy);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (key, lazy) in _models)
        {
            if (_models.TryRemove(new KeyValuePair<string, Lazy<Task<LoadedModel>>>(key, lazy)))
            {
                Release(lazy);
            }
        }
    }

    private LoadedModel Load(ModelRecord record)
    {
        var loaded = factory.Create(record);
        LogLoaded(logger, record.Name, record.Version, loaded.LoadMs, loaded.OptimizedCache, loaded.IntraOpThreads, loaded.ThreadProbe ?? "configured");
        return new LoadedModel(record, loaded.Session, loaded.LoadMs, loaded.OptimizedCache, options.Value, time) { IntraOpThreads = loaded.IntraOpThreads };
    }

    private void EvictBeyondBudget(LoadedModel keep)
    {
        var loaded = Loaded;
        var total = loaded.Sum(m => m.SizeBytes);
        foreach (var victim in loaded.OrderBy(m => m.LastUsed))
        {
            if (total <= options.Value.MaxLoadedBytes)
            {
                break;
            }

            if (ReferenceEquals(victim, keep))
            {
                continue;
            }

            var key = Key(victim.Record.Name, victim.Record.Version);
            if (_models.TryGetValue(key, out var lazy) && _models.TryRemove(new KeyValuePair<string, Lazy<Task<LoadedModel>>>(key, lazy)))
            {
                total -= victim.SizeBytes;
                LogEvicted(logger, victim.Record.Name, victim.Record.Version, victim.SizeBytes);
                Release(lazy);
            }
        }
    }

    private static void Release(Lazy<Task<LoadedModel>> lazy)
    {
        if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
        {
            lazy.Value.Result.Release();
        }
    }

    private static string Key(string name, int version) => $"{name}/{version}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {Model} v{Version} in {LoadMs:0.0} ms (optimized cache {Cache}); intra-op threads {Threads} ({ThreadProbe})")]
    private static partial void LogLoaded(ILogger logger, string model, int version, double loadMs, string cache, int threads, string threadProbe);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded model {Model} v{Version} ({Bytes} bytes): loaded models over their byte bound")]
    private static partial void LogEvicted(ILogger logger, string model, int version, long bytes);
}
