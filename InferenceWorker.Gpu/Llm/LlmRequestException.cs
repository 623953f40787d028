namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>A request the API answers with a problem: the status, a title and a detail that says what to change.</summary>
internal sealed class LlmRequestException(int status, string title, string detail, int? retryAfterSeconds = null) : Exception(detail)
{
    public int Status => status;

    public string Title => title;

    public int? RetryAfterSeconds => retryAfterSeconds;
}
