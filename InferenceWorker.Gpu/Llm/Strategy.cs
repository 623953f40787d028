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
        var choose = request.Strategy is "diverse_sampling" or "best_of_n";
        var count = request.N ?? (choose ? 4 : 1);
        var samples = new SamplingParameters[count];
        for (var i = 0; i < count; i++)
        {
            var t = request.Strategy switch
            {
                "diverse_sampling" => count == 1 ? 0.8f : 0.2f + 1.2f * i / (count - 1),
                "best_of_n" => request.Temperature ?? 0.8f,
                _ => temperature,
            };
            samples[i] = new SamplingParameters(t, topP, topK, request.RepetitionPenalty, request.Seed is { } seed ? seed + i : null);
        }

        return samples;
    }

    /// <summary>Whether the strategy returns one chosen sample rather than all of them.</summary>
    public static bool Chooses(string strategy) => strategy is "diverse_sampling" or "best_of_n";
}
