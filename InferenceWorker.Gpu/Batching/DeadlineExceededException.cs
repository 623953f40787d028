namespace BenchPlatform.InferenceWorker.Batching;

/// <summary>A queued request's deadline passed before a runner reached it: it was dropped, never run.</summary>
internal sealed class DeadlineExceededException(TimeSpan queued)
    : Exception($"The request's deadline passed after {queued.TotalMilliseconds:0} ms in the queue, before it could run; it was not run.");
