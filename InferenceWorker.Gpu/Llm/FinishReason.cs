namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>Why a sequence ended (OpenAI's <c>finish_reason</c>).</summary>
internal enum FinishReason
{
    /// <summary>An eos token or a stop string.</summary>
    Stop,

    /// <summary><c>max_tokens</c> reached.</summary>
    Length,

    /// <summary>The client went away or the request was cancelled.</summary>
    Cancelled,
}
