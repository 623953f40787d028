namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>What became of a sequence handed to the generation loop.</summary>
internal enum SubmitResult
{
    /// <summary>Queued; it will be admitted when the batch and the KV budget allow.</summary>
    Accepted,

    /// <summary>The waiting line is full: answer 429 with <c>Retry-After</c>.</summary>
    QueueFull,

    /// <summary>prompt + max_tokens exceeds the whole KV budget: it could never be admitted.</summary>
    TooLarge,
}
