namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>Tokens spent by a request: every sample's prompt and output.</summary>
internal readonly record struct Usage(int Prompt, int Completion);
