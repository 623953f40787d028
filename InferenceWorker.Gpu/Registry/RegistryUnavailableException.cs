namespace BenchPlatform.InferenceWorker.Registry;

/// <summary>PostgreSQL could not be reached and nothing cached answers the question; callers retry later (503).</summary>
public sealed class RegistryUnavailableException(string message, Exception inner) : Exception(message, inner);
