namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>A sequence waited past <c>Llm:QueueTimeoutMs</c> for admission; the request gets 503 with <c>Retry-After</c>.</summary>
internal sealed class EngineOverloadedException(string message) : Exception(message);
