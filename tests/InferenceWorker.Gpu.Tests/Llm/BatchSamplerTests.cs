using System.Threading.Channels;
using BenchPlatform.InferenceWorker.Llm;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

public sealed class BatchSamplerTests
{
    private static readonly float[] Row = [1f, 3f, 2.5f, -1f, 0f];

    [Fact]
    public void Sample_WholeBatch_EachRowByItsOwnParameters()
    {
        var sampler = new BatchSampler(Row.Length);
        float[] logits = [.. Row, .. Row, .. Row];
        Sequence[] rows =
        [
            Make(new SamplingParameters(0, 1, 0, 1, null)),          // greedy
            Make(new SamplingParameters(1.5f, 1, 1, 1, 9)),          // top_k 1 = greedy whatever the temperature
            Make(new SamplingParameters(2f, 0.01f, 0, 1, 9)),        // top_p that keeps only the top token
        ];
        var chosen = new int[3];
        var logProbs = new float[3];
        sampler.Sample(logits, rows, chosen, logProbs);
        Assert.Equal([1, 1, 1], chosen);
        // The model's log-probability of token 1 under the raw logits.
        var expected = Row[1] - MathF.Log(Row.Sum(MathF.Exp));
        Assert.All(logProbs, p => Assert.Equal(expected, p, 4));
    }

    [Fact]
    public void Sample_RepetitionPenalty_SteersAwayFromSeenTokens()
    {
        var sampler = new BatchSampler(Row.Length);
        var logits = (float[])Row.Clone();
        // Token 1 is in the prompt: a penalty of 2 halves its positive logit (3 → 1.5 < 2.5).
        var sequence = Make(new SamplingParameters(0, 1, 0, 2f, null), prompt: [1]);
        var chosen = new int[1];
        sampler.Sample(logits, [sequence], chosen, new float[1]);
        Assert.Equal(2, chosen[0]);
    }

    [Fact]
    public void Sample_TopK_NeverPicksOutsideTheTopK()
    {
        var sampler = new BatchSampler(Row.Length);
        var sequence = Make(new SamplingParameters(2f, 1, 2, 1, 123));
        var seen = new HashSet<int>();
        for (var i = 0; i < 500; i++)
        {
            var chosen = new int[1];
            sampler.Sample((float[])Row.Clone(), [sequence], chosen, new float[1]);
            seen.Add(chosen[0]);
        }

        Assert.Equal([1, 2], seen.Order());
    }

    private static Sequence Make(SamplingParameters sampling, int[]? prompt = null) =>
        new(0, prompt ?? [0], 4, sampling, Channel.CreateUnbounded<GeneratedToken>().Writer, CancellationToken.None);
}
