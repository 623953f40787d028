namespace BenchPlatform.Protocol.OpenAi;

/// <summary>
/// A <c>/v1/completions</c> or <c>/v1/chat/completions</c> body as <see cref="CompletionRequestReader"/> read it: every
/// field within the contract's ranges; what depends on the model (context length, vocabulary) is checked where it is served.
/// </summary>
public sealed record CompletionRequest
{
    /// <summary>The model id (<c>model</c>).</summary>
    public required string Model { get; init; }

    /// <summary>Completions: the prompt text (a string, or an array of one string); null when given as token ids.</summary>
    public string? Prompt { get; init; }

    /// <summary>Completions: the prompt as token ids (each ≥ 0), or null.</summary>
    public int[]? PromptTokens { get; init; }

    /// <summary>Chat: the messages, at least one.</summary>
    public IReadOnlyList<ChatMessage>? Messages { get; init; }

    /// <summary><c>max_completion_tokens</c>, else <c>max_tokens</c> (at least 1); null for the model's default.</summary>
    public int? MaxTokens { get; init; }

    /// <summary><c>temperature</c> in [0, 2]; null for the model's default.</summary>
    public float? Temperature { get; init; }

    /// <summary><c>top_p</c> in (0, 1]; null for the model's default.</summary>
    public float? TopP { get; init; }

    /// <summary><c>top_k</c> (0 = off); null for the model's default.</summary>
    public int? TopK { get; init; }

    /// <summary><c>repetition_penalty</c> in (0, 10]; 1 = none.</summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary><c>seed</c>: any 64-bit integer; null for a random draw.</summary>
    public long? Seed { get; init; }

    /// <summary><c>stop</c>: at most 4 non-empty strings.</summary>
    public string[] Stop { get; init; } = [];

    /// <summary><c>n</c>, 1 to 16; null for the strategy's default.</summary>
    public int? N { get; init; }

    /// <summary><c>stream</c>: answer with server-sent events.</summary>
    public bool Stream { get; init; }

    /// <summary>The <c>strategy</c> extension.</summary>
    public CompletionStrategy Strategy { get; init; }
}
