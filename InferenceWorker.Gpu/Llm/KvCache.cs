using System.Buffers;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// One sequence's key/value cache: per layer, keys and values laid out <c>[kv_heads, capacity, head_dim]</c>
/// in pooled arrays, returned to the pool on dispose.
/// </summary>
internal sealed class KvCache : SequenceCache
{
    private readonly float[][] _keys;
    private readonly float[][] _values;

    public KvCache(int layers, int kvHeads, int headDim, int capacity)
        : base(capacity)
    {
        KvHeads = kvHeads;
        HeadDim = headDim;
        _keys = new float[layers][];
        _values = new float[layers][];
        var size = kvHeads * capacity * headDim;
        for (var l = 0; l < layers; l++)
        {
            _keys[l] = ArrayPool<float>.Shared.Rent(size);
            _values[l] = ArrayPool<float>.Shared.Rent(size);
        }
    }

    public int KvHeads { get; }

    public int HeadDim { get; }

    public float[] Keys(int layer) => _keys[layer];

    public float[] Values(int layer) => _values[layer];

    protected override void Free()
    {
        for (var l = 0; l < _keys.Length; l++)
        {
            ArrayPool<float>.Shared.Return(_keys[l]);
            ArrayPool<float>.Shared.Return(_values[l]);
        }
    }
}
