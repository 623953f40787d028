using System.Threading.Channels;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// A request's samples, submitted to its model's engine, and the channel their tokens arrive on. Disposing stops every
/// sample that has not finished (the client went away, or the answer is written).
/// </summary>
internal sealed class CompletionJob : IDisposable
{
    private CompletionJob(Sequence[] sequences, ChannelReader<GeneratedToken> tokens, EndSignalingWriter? coalescing, TimeSpan interval)
    {
        Sequences = sequences;
        Tokens = tokens;
        Coalescing = coalescing;
        Interval = interval;
    }

    /// <summary>One sequence per sample, in choice order.</summary>
    public Sequence[] Sequences { get; }

    /// <summary>Every sample's tokens, as the engine produces them.</summary>
    public ChannelReader<GeneratedToken> Tokens { get; }

    /// <summary>A stream that coalesces tokens (<see cref="LlmOptions.StreamIntervalMs"/>): the channel's end signal; else null.</summary>
    public EndSignalingWriter? Coalescing { get; }

    /// <summary>The least time between two writes of a coalescing stream (zero when it does not coalesce).</summary>
    public TimeSpan Interval { get; }

    /// <summary>
    /// Checks the request against the model (prompt and output within the context and <c>Llm:MaxOutputTokens</c>), plans
    /// its samples (<see cref="Strategy.Plan"/>) and submits them; a full waiting line is a 429, a request over the KV
    /// budget a 400.
    /// </summary>
    public static CompletionJob Submit(LocalLlm model, CompletionRequest request, bool chat, LlmOptions options, CancellationToken aborted)
    {
        var prompt = CompletionPrompt.Tokenize(model, request, chat);
        var maxTokens = MaxTokens(model, request, chat, options, prompt.Length);
        var plan = Strategy.Plan(request, model.Config);
        var channel = Channel.CreateUnbounded<GeneratedToken>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
        var coalescing = request.Stream && options.StreamIntervalMs > 0 ? new EndSignalingWriter(channel.Writer, everyToken: request.Stop.Length > 0) : null;
        var output = coalescing ?? (ChannelWriter<GeneratedToken>)channel.Writer;
        var job = new CompletionJob(new Sequence[plan.Length], channel.Reader, coalescing,
            coalescing is null ? TimeSpan.Zero : TimeSpan.FromMilliseconds(options.StreamIntervalMs));
        try
        {
            for (var i = 0; i < plan.Length; i++)
            {
                job.Sequences[i] = new Sequence(i, prompt, maxTokens, plan[i], output, aborted);
                switch (model.Engine.Submit(job.Sequences[i]))
                {
                    case SubmitResult.QueueFull:
                        throw new LlmRequestException(StatusCodes.Status429TooManyRequests, ProblemTitles.TooManyRequests,
                            $"Model '{model.Name}' has {options.MaxWaiting} requests waiting (Llm:MaxWaiting); retry after {options.RetryAfterSeconds} s.", options.RetryAfterSeconds);
                    case SubmitResult.TooLarge:
                        throw Bad(ProblemTitles.RequestTooLarge, $"prompt ({prompt.Length}) + max_tokens ({maxTokens}) = {prompt.Length + maxTokens} KV positions exceeds the KV budget of {options.KvBudgetTokens} (Llm:KvBudgetTokens); lower max_tokens.");
                }
            }
        }
        catch
        {
            job.Dispose();
            throw;
        }

        return job;
    }

    public void Dispose()
    {
        foreach (var sequence in Sequences)
        {
            sequence?.Stop();
        }
    }

    private static int MaxTokens(LocalLlm model, CompletionRequest request, bool chat, LlmOptions options, int promptLength)
    {
        var contextLength = model.Config.ContextLength;
        if (promptLength >= contextLength)
        {
            throw Bad(ProblemTitles.PromptTooLong, $"The prompt is {promptLength} tokens; model '{model.Name}' has a context of {contextLength} tokens ({model.Config.ContextSource}). Shorten the prompt to at most {contextLength - 1} tokens.");
        }

        var maxTokens = request.MaxTokens ?? (chat ? Math.Min(256, contextLength - promptLength) : Math.Min(16, contextLength - promptLength));
        if (maxTokens > options.MaxOutputTokens)
        {
            throw Bad(ProblemTitles.InvalidMaxTokens, $"max_tokens is {maxTokens}; this worker allows at most {options.MaxOutputTokens} (Llm:MaxOutputTokens).");
        }

        if (promptLength + maxTokens > contextLength)
        {
            throw Bad(ProblemTitles.InvalidMaxTokens, $"The prompt ({promptLength} tokens) plus max_tokens ({maxTokens}) exceeds model '{model.Name}''s context of {contextLength} tokens; set max_tokens to at most {contextLength - promptLength}.");
        }

        return maxTokens;
    }

    private static LlmRequestException Bad(string title, string detail) => new(StatusCodes.Status400BadRequest, title, detail);
}
