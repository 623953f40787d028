namespace BenchPlatform.InferenceWorker.Llm.Proof;

/// <summary>The dimensions of the proof Llama that <see cref="TinyLlamaBuilder"/> writes (grouped-query attention when <paramref name="KvHeads"/> &lt; <paramref name="Heads"/>).</summary>
public sealed record TinyLlamaShape(int Layers = 2, int Hidden = 64, int Heads = 4, int KvHeads = 2, int FeedForward = 128, int Context = 256, float RopeBase = 10000f, float NormEpsilon = 1e-5f)
{
    /// <summary>The size of one attention head.</summary>
    public int HeadDim => Hidden / Heads;
}
