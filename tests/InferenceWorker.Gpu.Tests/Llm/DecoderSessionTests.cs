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

    [Fact]
    public void ResidentPast_SameRowsStepAfterStep_EqualsGatheringTheCachesEveryStep()
    {
        using var session = new DecoderSession(System.IO.Path.Combine(model.Path, "model.onnx"), 1);
        var vocab = session.VocabSize;
        int[][] prompts = [[1, 2, 3, 4, 5, 6, 7], [40, 41], [99, 100, 101, 102], [7, 8, 9]];
        var gathered = new Batch(session, prompts);
        var kept = new Batch(session, prompts);
        using var resident = new ResidentPast();

        // Rows 0-2 prefilled together (different lengths: padding inside the kept tensors), then 4 decode steps
        // of the same rows; row 1 leaves for 3 steps; row 3 is prefilled alone and joins rows 0 and 2 for 3 steps.
        List<(int[] Rows, bool Prefill)> steps = [([0, 1, 2], true)];
        steps.AddRange(Enumerable.Repeat((new[] { 0, 1, 2 }, false), 4));
        steps.AddRange(Enumerable.Repeat((new[] { 0, 2 }, false), 3));
        steps.Add(([3], true));
        steps.AddRange(Enumerable.Repeat((new[] { 0, 2, 3 }, false), 3));
        foreach (var (rows, prefill) in steps)
        {
            var expected = gathered.Step(rows, prefill, null);
            var actual = kept.Step(rows, prefill, resident);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * Math.Max(1, Math.Abs(expected[i])),
                    $"rows [{string.Join(',', rows)}], row {i / vocab}, vocab {i % vocab}: gathered {expected[i]} vs resident {actual[i]}");
            }
        }

        // Reused: the 4 decodes of rows 0-2 (after their prefill), the last 2 of rows 0,2 and the last 2 of rows 0,2,3;
        // every change of rows gathered: the first prefill, row 1 leaving, row 3's prefill, row 3 joining.
        Assert.Equal(4 + 2 + 2, resident.Reused);
        Assert.Equal(4, resident.Gathered);
        for (var r = 0; r < prompts.Length; r++)
        {
            Assert.Equal(gathered.Caches[r].Length, kept.Caches[r].Length);
            Assert.Equal(gathered.Tokens[r], kept.Tokens[r]);
        }

        gathered.Dispose();
        kept.Dispose();
    }

    /// <summary>Prompts with their caches, stepped by row subsets; the greedy token of each step is appended.</summary>
    private sealed class Batch(DecoderSession session, int[][] prompts) : IDisposable
    {
        public KvCache[] Caches { get; } = prompts.Select(_ => session.CreateCache(32)).ToArray();

        public int[][] Tokens { get; } = prompts.Select(p => p.Concat(new int[32 - p.Length]).ToArray()).ToArray();

        private readonly int[] _lengths = prompts.Select(p => p.Length).ToArray();

        public float[] Step(int[] subset, bool prefill, ResidentPast? resident)
        {
            var vocab = session.VocabSize;
            var rows = subset.Select(r => prefill
                ? new StepRow(Caches[r], Tokens[r], 0, _lengths[r])
                : new StepRow(Caches[r], Tokens[r], _lengths[r] - 1, 1)).ToArray();
            var logits = new float[subset.Length * vocab];
            session.Forward(rows, logits, resident);
            for (var i = 0; i < subset.Length; i++)
            {
                Tokens[subset[i]][_lengths[subset[i]]++] = ArgMax(logits.AsSpan(i * vocab, vocab));
            }

            return logits;
        }

        public void Dispose()
        {
            foreach (var cache in Caches)
            {
                cache.Dispose();
            }
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
