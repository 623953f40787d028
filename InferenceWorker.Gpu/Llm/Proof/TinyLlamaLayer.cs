namespace BenchPlatform.InferenceWorker.Llm.Proof;

/// <summary>One decoder layer's weights (linear weights <c>[out, in]</c>).</summary>
internal sealed record TinyLlamaLayer(float[] AttentionNorm, float[] Query, float[] Key, float[] Value, float[] AttentionOutput, float[] FeedForwardNorm, float[] Gate, float[] Up, float[] Down);
