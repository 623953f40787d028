namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>What the generation loop reports for a sequence: a token (with its log-probability under the model) or the end.</summary>
internal readonly record struct GeneratedToken(int Index, int TokenId, float LogProb, FinishReason? Finish, Exception? Error = null);
