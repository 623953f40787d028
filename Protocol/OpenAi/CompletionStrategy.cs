namespace BenchPlatform.Protocol.OpenAi;

/// <summary>
/// The <c>strategy</c> extension of a completion or chat body (after OptILLM): how many samples to draw and how to
/// choose among them. The wire names are in <see cref="CompletionStrategies"/>.
/// </summary>
public enum CompletionStrategy
{
    /// <summary><c>baseline</c> (the default): n samples with the request's sampling, n choices back.</summary>
    Baseline,

    /// <summary><c>reread</c>: the question is re-stated before answering ("Read the question again: …").</summary>
    Reread,

    /// <summary><c>diverse_sampling</c>: n (default 4) samples at temperatures spread over [0.2, 1.4]; the best one back.</summary>
    DiverseSampling,

    /// <summary><c>best_of_n</c>: n (default 4) samples at the request's temperature (default 0.8); the best one back.</summary>
    BestOfN,
}
