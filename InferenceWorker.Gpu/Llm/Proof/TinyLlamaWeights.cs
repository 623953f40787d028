namespace BenchPlatform.InferenceWorker.Llm.Proof;

/// <summary>
/// The proof Llama's weights, fixed by a seed, in PyTorch layout (a linear layer's weight is <c>[out, in]</c>, row-major),
/// which is also GGUF's layout; the ONNX export transposes the linear weights for <c>MatMul</c>.
/// </summary>
internal sealed class TinyLlamaWeights
{
    public TinyLlamaWeights(TinyLlamaShape shape, int vocab, int seed, IReadOnlyCollection<int> silentTokens)
    {
        var random = new Random(seed);
        var d = shape.Hidden;
        var kv = shape.KvHeads * shape.HeadDim;
        Embedding = Random(random, vocab * d, 1f);
        Layers = new TinyLlamaLayer[shape.Layers];
        for (var l = 0; l < shape.Layers; l++)
        {
            Layers[l] = new TinyLlamaLayer(
                Norm(random, d),
                Random(random, d * d, 1f / MathF.Sqrt(d)),
                Random(random, kv * d, 1f / MathF.Sqrt(d)),
                Random(random, kv * d, 1f / MathF.Sqrt(d)),
                Random(random, d * d, 1f / MathF.Sqrt(d)),
                Norm(random, d),
                Random(random, shape.FeedForward * d, 1f / MathF.Sqrt(d)),
                Random(random, shape.FeedForward * d, 1f / MathF.Sqrt(d)),
                Random(random, d * shape.FeedForward, 1f / MathF.Sqrt(shape.FeedForward)));
        }

        OutputNorm = Norm(random, d);
        Output = Random(random, vocab * d, 4f / MathF.Sqrt(d));
        foreach (var token in silentTokens)
        {
            // Control tokens get a zero output row (logit 0): random weights would otherwise end generations at random.
            Array.Clear(Output, token * d, d);
        }
    }

    /// <summary><c>[vocab, hidden]</c>.</summary>
    public float[] Embedding { get; }

    public TinyLlamaLayer[] Layers { get; }

    public float[] OutputNorm { get; }

    /// <summary><c>[vocab, hidden]</c>.</summary>
    public float[] Output { get; }

    /// <summary>A row-major <c>[rows, cols]</c> matrix transposed to <c>[cols, rows]</c>.</summary>
    public static float[] Transpose(float[] matrix, int rows, int cols)
    {
        var result = new float[matrix.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                result[c * rows + r] = matrix[r * cols + c];
            }
        }

        return result;
    }

    private static float[] Norm(Random random, int d)
    {
        var gamma = new float[d];
        for (var i = 0; i < d; i++)
        {
            gamma[i] = 1f + ((float)random.NextDouble() - 0.5f) * 0.2f;
        }

        return gamma;
    }

    private static float[] Random(Random random, int count, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            // Sum of uniforms: bounded, roughly normal with unit variance.
            values[i] = ((float)(random.NextDouble() + random.NextDouble() + random.NextDouble()) - 1.5f) * 2f * scale;
        }

        return values;
    }
}
