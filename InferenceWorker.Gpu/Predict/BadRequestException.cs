namespace BenchPlatform.InferenceWorker.Predict;

/// <summary>A caller's mistake; <see cref="Exception.Message"/> is the problem detail that says what to change.</summary>
public sealed class BadRequestException(string title, string detail) : Exception(detail)
{
    /// <summary>The problem title.</summary>
    public string Title { get; } = title;
}
