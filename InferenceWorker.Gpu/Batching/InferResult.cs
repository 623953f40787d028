namespace BenchPlatform.InferenceWorker.Batching;

/// <summary>
/// A request's outputs (the v2 <c>outputs</c> JSON array), the binary tensor data of the outputs asked for as
/// binary (null when none), and where its time went.
/// </summary>
public sealed record InferResult(byte[] OutputsJson, double QueueMs, double InferMs, int BatchSize, byte[]? Binary = null);
