namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>How one sequence picks its next token: temperature 0 is greedy.</summary>
internal sealed record SamplingParameters(float Temperature, float TopP, int TopK, float RepetitionPenalty, int? Seed);
