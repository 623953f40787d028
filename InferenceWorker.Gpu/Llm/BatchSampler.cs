using System.Numerics.Tensors;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// Picks the next token for every row of a step's logits in one pass: repetition penalty, then greedy or
/// temperature / top-k / top-p sampling with each sequence's own seeded generator. The reported log-probability
/// is the model's (after the repetition penalty, before temperature and truncation), which strategies score by.
/// The per-row passes over the vocabulary (max, exp, sum, arg max) are vectorized and allocate nothing.
/// </summary>
internal sealed class BatchSampler(int vocabSize)
{
    private readonly float[] _probabilities = new float[vocabSize];
    private readonly int[] _order = new int[vocabSize];
    private readonly float[] _keys = new float[vocabSize];
    private readonly int[] _seen = new int[vocabSize];
    private int _stamp;

    public void Sample(Span<float> logits, ReadOnlySpan<Sequence> rows, Span<int> chosen, Span<float> logProbs)
    {
        for (var r = 0; r < rows.Length; r++)
        {
            var row = logits.Slice(r * vocabSize, vocabSize);
            var sequence = rows[r];
            if (sequence.Sampling.RepetitionPenalty != 1f)
            {
                Penalize(row, sequence);
            }

            var max = TensorPrimitives.Max(row);
            var scratch = _probabilities.AsSpan(0, row.Length);
            TensorPrimitives.Subtract(row, max, scratch);
            TensorPrimitives.Exp(scratch, scratch);
            var logNormalizer = max + MathF.Log(TensorPrimitives.Sum(scratch));
            var token = sequence.Sampling.Temperature == 0f ? TensorPrimitives.IndexOfMax(row) : Draw(row, max, sequence);
            chosen[r] = token;
            logProbs[r] = row[token] - logNormalizer;
        }
    }

    private void Penalize(Span<float> row, Sequence sequence)
    {
        var stamp = ++_stamp;
        var penalty = sequence.Sampling.RepetitionPenalty;
        for (var i = 0; i < sequence.Length; i++)
        {
            var token = sequence.Tokens[i];
            if ((uint)token < (uint)row.Length && _seen[token] != stamp)
            {
                _seen[token] = stamp;
                row[token] = row[token] > 0 ? row[token] / penalty : row[token] * penalty;
            }
        }
    }

    private int Draw(ReadOnlySpan<float> row, float max, Sequence sequence)
    {
        var sampling = sequence.Sampling;
        var probabilities = _probabilities.AsSpan(0, row.Length);
        TensorPrimitives.Subtract(row, max, probabilities);
        TensorPrimitives.Multiply(probabilities, 1f / sampling.Temperature, probabilities);
        TensorPrimitives.Exp(probabilities, probabilities);
        var total = TensorPrimitives.Sum(probabilities);

        var topK = sampling.TopK > 0 && sampling.TopK < row.Length ? sampling.TopK : row.Length;
        if (topK == row.Length && sampling.TopP >= 1f)
        {
            return Pick(probabilities, total, sequence.Random);
        }

        // Truncate: sort descending, keep the top k and the smallest prefix whose mass reaches top_p.
        for (var i = 0; i < row.Length; i++)
        {
            _order[i] = i;
            _keys[i] = -probabilities[i];
        }

        Array.Sort(_keys, _order, 0, row.Length);
        var threshold = sampling.TopP * total;
        var kept = 0;
        var mass = 0f;
        while (kept < topK)
        {
            mass += -_keys[kept];
            kept++;
            if (mass >= threshold)
            {
                break;
            }
        }

        var target = (float)sequence.Random.NextDouble() * mass;
        for (var i = 0; i < kept; i++)
        {
            if (target < -_keys[i])
            {
                return _order[i];
            }

            target -= -_keys[i];
        }

        return _order[kept - 1];
    }

    private static int Pick(ReadOnlySpan<float> probabilities, float total, Random random)
    {
        var target = (float)random.NextDouble() * total;
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (target < probabilities[i])
            {
                return i;
            }

            target -= probabilities[i];
        }

        return probabilities.Length - 1;
    }
}
