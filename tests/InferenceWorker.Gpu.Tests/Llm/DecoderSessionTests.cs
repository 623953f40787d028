using BenchPlatform.InferenceWorker.Llm;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

public sealed class DecoderSessionTests(TinyLmFolder model) : IClassFixture<TinyLmFolder>
{
    private const float Tolerance = 1e-4f;

    [Fact]
    public void CachedDecode_TokenByToken_EqualsFullRecomputeWithoutCache()
    {
        using var session = new DecoderSession(System.IO.Path.Combine(model.Path, "model.onnx"), 1);
        var vocab = session.VocabSize;
        var tokens = new int[24];
        var logits = new float[vocab];

        // Prefill 4 tokens, then greedy-decode 20 more through the cache.
        int[] prompt = [72, 101, 108, 108];
        prompt.CopyTo(tokens, 0);
        using var cache = session.CreateCache(tokens.Length);
        session.Forward([new StepRow(cache, tokens, 0, prompt.Length)], logits);
        var cachedLogits = new List<float[]>();
        for (var i = prompt.Length; i < tokens.Length; i++)
        {
            cachedLogits.Add((float[])logits.Clone());
            tokens[i] = ArgMax(logits);
            if (i < tokens.Length - 1)
            {
                session.Forward([new StepRow(cache, tokens, i, 1)], logits);
            }
        }

        Assert.Equal(tokens.Length - 1, cache.Length);
        // Recompute each prefix from scratch, no cache: the last-position logits must match the cached step.
        for (var i = prompt.Length; i < tokens.Length; i++)
        {
            using var fresh = session.CreateCache(i);
            session.Forward([new StepRow(fresh, tokens, 0, i)], logits);
            var expected = cachedLogits[i - prompt.Length];
            for (var v = 0; v < vocab; v++)
            {
                Assert.True(Math.Abs(expected[v] - logits[v]) <= Tolerance * Math.Max(1, Math.Abs(logits[v])),
                    $"token {i}, vocab {v}: cached {expected[v]} vs recomputed {logits[v]}");
            }
        }
    }

    [Fact]
    public void BatchedStep_RowsOfDifferentLengths_EqualEachRowRunAlone()
    {
        using var session = new DecoderSession(System.IO.Path.Combine(model.Path, "model.onnx"), 1);
        var vocab = session.VocabSize;
        int[][] prompts = [[1, 2, 3, 4, 5, 6, 7], [40, 41], [99, 100, 101, 102]];
        var alone = new float[prompts.Length][];
        for (var r = 0; r < prompts.Length; r++)
        {
            using var cache = session.CreateCache(16);
            var tokens = new int[16];
            prompts[r].CopyTo(tokens, 0);
            session.Forward([new StepRow(cache, tokens, 0, prompts[r].Length)], new float[vocab]);
            tokens[prompts[r].Length] = 7;
            alone[r] = new float[vocab];
            session.Forward([new StepRow(cache, tokens, prompts[r].Length, 1)], alone[r]);
        }

        // Same prompts prefilled together (left-padded), then one batched decode step.
        var caches = new KvCache[prompts.Length];
        var rows = new StepRow[prompts.Length];
        for (var r = 0; r < prompts.Length; r++)
        {
            caches[r] = session.CreateCache(16);
            var tokens = new int[16];
            prompts[r].CopyTo(tokens, 0);
            tokens[prompts[r].Length] = 7;
            rows[r] = new StepRow(caches[r], tokens, 0, prompts[r].Length);
        }

        session.Forward(rows, new float[prompts.Length * vocab]);
        for (var r = 0; r < prompts.Length; r++)
        {
            rows[r] = rows[r] with { Start = prompts[r].Length, Count = 1 };
        }

        var batched = new float[prompts.Length * vocab];
        session.Forward(rows, batched);
        for (var r = 0; r < prompts.Length; r++)
        {
            for (var v = 0; v < vocab; v++)
            {
                Assert.True(Math.Abs(alone[r][v] - batched[r * vocab + v]) <= Tolerance * Math.Max(1, Math.Abs(alone[r][v])),
                    $"row {r}, vocab {v}: alone {alone[r][v]} vs batched {batched[r * vocab + v]}");
            }

            caches[r].Dispose();
        }
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
