using System.Text.Json;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// One request's answer while its samples generate: reads their tokens, turns them into each choice's text (stop
/// strings, end of sequence), streams the text (<see cref="CompletionStream"/>) or writes the whole answer at the end
/// (<see cref="CompletionJson"/>), and records the request's metrics.
/// </summary>
internal sealed class CompletionRun
{
    private readonly HttpContext _context;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly CancellationToken _aborted;
    private readonly CompletionStream? _stream;
    private readonly int[] _eos;

    // When the first token came (0 before).
    private long _firstToken;

    // Choices finished.
    private int _done;

    public CompletionRun(HttpContext context, LocalLlm model, CompletionRequest request, bool chat, CompletionJob job, TimeProvider time, long started)
    {
        _context = context;
        _time = time;
        _started = started;
        _aborted = context.RequestAborted;
        _eos = model.Config.EosTokenIds;
        Model = model;
        Request = request;
        Chat = chat;
        Job = job;
        Id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
        Created = time.GetUtcNow().ToUnixTimeSeconds();
        var count = job.Sequences.Length;
        Texts = new ChoiceText[count];
        for (var i = 0; i < count; i++)
        {
            Texts[i] = new ChoiceText(model.Tokenizer, request.Stop, request.Stream);
        }

        Finishes = new FinishReason?[count];
        _stream = request.Stream
            ? new CompletionStream(new SseWriter(context.Response.BodyWriter, Id, Created, model.Name, chat), job, Texts, Finishes, time)
            : null;
    }

    public LocalLlm Model { get; }

    public CompletionRequest Request { get; }

    public bool Chat { get; }

    public CompletionJob Job { get; }

    /// <summary>The answer's <c>id</c>: <c>cmpl-…</c> or <c>chatcmpl-…</c>.</summary>
    public string Id { get; }

    /// <summary>The answer's <c>created</c> (Unix seconds).</summary>
    public long Created { get; }

    /// <summary>Each choice's text so far.</summary>
    public ChoiceText[] Texts { get; }

    /// <summary>Each choice's finish reason, once it has finished.</summary>
    public FinishReason?[] Finishes { get; }

    /// <summary>Reads tokens until every choice has finished, then writes the answer (or the stream's end).</summary>
    public async Task RunAsync(LlmMetrics metrics)
    {
        var tokens = Job.Tokens;
        while (_done < Texts.Length)
        {
            if (!tokens.TryRead(out var token))
            {
                if (_stream is not null && await _stream.FlushOrWaitAsync(_aborted))
                {
                    continue;
                }

                token = await tokens.ReadAsync(_aborted);
            }

            if (Finishes[token.Index] is not null)
            {
                continue;
            }

            ThrowIfFailed(token);
            if (token.TokenId >= 0 && _firstToken == 0)
            {
                await FirstTokenAsync();
            }

            Accept(token);
        }

        await AnswerAsync(metrics);
    }

    private void ThrowIfFailed(GeneratedToken token)
    {
        if (token.Error is not null)
        {
            throw token.Error is EngineOverloadedException
                ? new LlmRequestException(StatusCodes.Status503ServiceUnavailable, ProblemTitles.Overloaded, token.Error.Message, 1)
                : new LlmRequestException(StatusCodes.Status503ServiceUnavailable, ProblemTitles.GenerationFailed, $"Model '{Model.Name}' failed a generation step: {token.Error.Message}", 1);
        }
    }

    private async Task FirstTokenAsync()
    {
        _firstToken = _time.GetTimestamp();
        if (_stream is not null)
        {
            var timing = CompletionTimings.ServerTiming(_time, Job.Sequences, _started, _firstToken, null, 0);
            await _stream.StartAsync(_context, timing, _firstToken, Chat, _aborted);
        }
    }

    // A token (or a sequence's end) into its choice's text; a finished choice, or text ready, goes to the stream.
    private void Accept(GeneratedToken token)
    {
        var text = Texts[token.Index];
        if (token.TokenId >= 0)
        {
            text.Add(token.TokenId, token.LogProb, token.Finish == FinishReason.Stop && Array.IndexOf(_eos, token.TokenId) >= 0);
            if (text.Stopped)
            {
                Job.Sequences[token.Index].Stop();
            }
        }

        FinishReason? finish = text.Stopped ? FinishReason.Stop : token.Finish;
        if (finish is not null)
        {
            Finishes[token.Index] = finish;
            _done++;
            var rest = text.Flush();
            _stream?.End(token.Index, rest, finish.Value);
        }
        else if (_stream is not null && text.HasReady)
        {
            _stream.Ready(token.Index);
        }
    }

    private async Task AnswerAsync(LlmMetrics llmMetrics)
    {
        var usage = new Usage(Job.Sequences[0].PromptLength * Texts.Length, CompletionTokens());
        var finished = _time.GetTimestamp();
        var firstOrEnd = _firstToken == 0 ? finished : _firstToken;
        var metrics = new Metrics(
            CompletionTimings.QueueMs(_time, Job.Sequences), _time.GetElapsedTime(_started, firstOrEnd).TotalMilliseconds,
            _time.GetElapsedTime(_started, finished).TotalMilliseconds, usage.Completion);
        llmMetrics.Completion(Model.Name, usage.Prompt, usage.Completion, metrics.TtftMs);
        if (_stream is not null)
        {
            await _stream.CompleteAsync(_context, usage, metrics, _aborted);
            return;
        }

        var response = _context.Response;
        response.Headers["Server-Timing"] = CompletionTimings.ServerTiming(_time, Job.Sequences, _started, firstOrEnd, metrics, usage.Completion);
        response.ContentType = "application/json";
        using var json = new Utf8JsonWriter(response.BodyWriter);
        CompletionJson.WriteAnswer(json, this, usage, metrics);
        await json.FlushAsync(_aborted);
    }

    private int CompletionTokens()
    {
        var total = 0;
        foreach (var text in Texts)
        {
            total += text.TokenCount;
        }

        return total;
    }
}
