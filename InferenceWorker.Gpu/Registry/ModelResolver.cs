using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BenchPlatform.InferenceWorker.Registry;

/// <summary>
/// Name (and optional version) → registry record on the predict path, trusting an answer for
/// <see cref="InferenceOptions.RegistryLookupCacheMilliseconds"/>. While PostgreSQL is unreachable the last
/// known answer is used, so loaded models keep serving through a database restart.
/// </summary>
public sealed class ModelResolver(ModelRegistry registry, IOptions<InferenceOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Name, int Version), (ModelRecord Record, long At)> _known = new();

    /// <summary>The record, or null when the model (version) is not registered.</summary>
    public async Task<ModelRecord?> ResolveAsync(string name, int? version, CancellationToken cancellationToken)
    {
        var key = (name, version ?? 0);
        var now = time.GetTimestamp();
        if (_known.TryGetValue(key, out var entry)
            && time.GetElapsedTime(entry.At, now).TotalMilliseconds < options.Value.RegistryLookupCacheMilliseconds)
        {
            return entry.Record;
        }

        try
        {
            var record = version is { } v
                ? await registry.GetAsync(name, v, cancellationToken)
                : await registry.GetLatestAsync(name, cancellationToken);
            if (record is null)
            {
                _known.TryRemove(key, out _);
            }
            else
            {
                _known[key] = (record, now);
            }

            return record;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException || (ex is InvalidOperationException && !cancellationToken.IsCancellationRequested))
        {
            if (entry.Record is not null)
            {
                return entry.Record;
            }

            throw new RegistryUnavailableException("The model registry (PostgreSQL) is unreachable; retry shortly.", ex);
        }
    }

    /// <summary>Forgets what is known about <paramref name="name"/> (after an upload or delete in this process).</summary>
    public void Invalidate(string name)
    {
        foreach (var key in _known.Keys)
        {
            if (key.Name == name)
            {
                _known.TryRemove(key, out _);
            }
        }
    }
}
