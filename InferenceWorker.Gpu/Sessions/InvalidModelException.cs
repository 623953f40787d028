namespace BenchPlatform.InferenceWorker.Sessions;

/// <summary>Uploaded bytes that are not a model the worker can serve; the message says why.</summary>
public sealed class InvalidModelException(string message) : Exception(message);
