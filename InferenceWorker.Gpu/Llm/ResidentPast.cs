using System.Buffers;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// The last batched step's <c>present</c> tensors and attention mask, kept in pooled batch-shaped buffers so that
/// the next step of the same rows (same caches, same order) feeds them straight back as <c>past_key_values</c>
/// instead of gathering every row's cache into a new batch tensor. Any change of the batch's rows falls back to
/// the gather. Owned by one caller (the generation loop); not thread-safe.
/// </summary>
internal sealed class ResidentPast : IDisposable
{
    private SequenceCache[] _caches = [];
    private int[] _lengths = [];

    /// <summary>Per layer, keys then values: <c>[batch, kv_heads, Total, head_dim]</c> in the first elements.</summary>
    internal float[][]? Buffers { get; private set; }

    /// <summary><c>[batch, Total]</c>: 1 where a position holds a real key, 0 for padding.</summary>
    internal long[]? Mask { get; private set; }

    /// <summary>Positions per row in <see cref="Buffers"/> (cache length plus padding).</summary>
    internal int Total { get; private set; }

    /// <summary>Steps that reused the resident tensors, and steps that had to gather (for tests and profiles).</summary>
    public long Reused { get; internal set; }

    public long Gathered { get; internal set; }

    /// <summary>True when <paramref name="rows"/> are exactly the rows of the kept step, each cache unchanged since.</summary>
    internal bool Matches(ReadOnlySpan<StepRow> rows)
    {
        if (Buffers is null || rows.Length != _caches.Length)
        {
            return false;
        }

        for (var b = 0; b < rows.Length; b++)
        {
            var cache = rows[b].Cache;
            if (!ReferenceEquals(cache, _caches[b]) || cache.Length != _lengths[b] || cache.Disposed)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Keeps <paramref name="buffers"/> and <paramref name="mask"/> (pooled; now owned here) for <paramref name="rows"/>.</summary>
    internal void Keep(ReadOnlySpan<StepRow> rows, float[][] buffers, long[] mask, int total)
    {
        Release();
        if (_caches.Length != rows.Length)
        {
            _caches = new SequenceCache[rows.Length];
            _lengths = new int[rows.Length];
        }

        for (var b = 0; b < rows.Length; b++)
        {
            _caches[b] = rows[b].Cache;
            _lengths[b] = rows[b].Cache.Length;
        }

        Buffers = buffers;
        Mask = mask;
        Total = total;
    }

    /// <summary>Returns the buffers to the pool (the next step gathers).</summary>
    public void Release()
    {
        if (Buffers is { } buffers)
        {
            foreach (var buffer in buffers)
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }

        if (Mask is { } mask)
        {
            ArrayPool<long>.Shared.Return(mask);
        }

        Buffers = null;
        Mask = null;
        Total = 0;
        Array.Clear(_caches);
    }

    public void Dispose() => Release();
}
