namespace BenchPlatform.InferenceWorker.Batching;

/// <summary>A model's queue refused a request at once: waiting would take longer than the queue bound or the request's deadline.</summary>
internal sealed class OverloadedException(string message, TimeSpan retryAfter) : Exception(message)
{
    /// <summary>When the queue is expected to have room again: the work ahead of the request.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
