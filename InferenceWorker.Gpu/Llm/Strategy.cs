namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// The <c>strategy</c> extension (after OptILLM): how many samples to draw, at which temperatures, and how to
/// choose. <c>baseline</c>: n samples as asked. <c>reread</c>: the question is re-stated ("Read the question
/// again: …") before answering. <c>diverse_sampling</c>: n (default 4) samples at temperatures spread evenly over
/// [0.2, 1.4], the one with the highest mean token log-probability wins. <c>best_of_n</c>: n (default 4) samples at
/// the request's temperature (default 0.8), the highest mean token log-probability wins (OpenAI's <c>best_of</c> rule).
/// </summary>
internal static class Strategy
{
    public static string Reread(string text) => $"{text}\nRead the question again: {text}\n";

    /// <summary>The samples to draw: how many, and each one's sampling parameters.</summary>
    public static SamplingParameters[] Plan(CompletionRequest request, LlmModelConfig config)
    {
        var temperature = request.Temperature ?? config.DefaultTemperature;
        var topP = request.TopP ?? config.DefaultTopP;
        var topK = request.TopK ?? config.DefaultTopK;
        var count = request.N ?? (request.Strategy.Chooses() ? 4 : 1);
        // A 64-bit seed folded to the 32 bits the sampler takes; sample i draws with seed + i.
        int? seed = request.Seed is { } s ? unchecked((int)s ^ (int)(s >> 32)) : null;
        var samples = new SamplingParameters[count];
        for (var i = 0; i < count; i++)
        {
            var t = request.Strategy switch
            {
                CompletionStrategy.DiverseSampling => count == 1 ? 0.8f : 0.2f + 1.2f * i / (count - 1),
                CompletionStrategy.BestOfN => request.Temperature ?? 0.8f,
                _ => temperature,
            };
            samples[i] = new SamplingParameters(t, topP, topK, request.RepetitionPenalty, seed is { } value ? value + i : null);
        }

        return samples;
    }

    /// <summary>A sample's score: the mean of its tokens' log-probabilities (minus infinity for no tokens).</summary>
    public static double Score(ChoiceText text) => text.TokenCount == 0 ? double.NegativeInfinity : text.LogProbSum / text.TokenCount;

    /// <summary>The index of the sample with the highest <see cref="Score"/> (the first of equals).</summary>
    public static int Best(ChoiceText[] texts)
    {
        var best = 0;
        for (var i = 1; i < texts.Length; i++)
        {
            if (Score(texts[i]) > Score(texts[best]))
            {
                best = i;
            }
        }

        return best;
    }
}
