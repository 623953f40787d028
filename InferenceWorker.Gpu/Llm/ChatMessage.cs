namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>One chat message: role and text content.</summary>
internal sealed record ChatMessage(string Role, string Content);
