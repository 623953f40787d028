using System.Buffers;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// The server-sent events of a streamed answer and when they leave. Chunks are written as tokens are read and sent when
/// no further token is ready: one write per step of the loop when the stream keeps up, fewer when it falls behind
/// (n > 1, a slow client). With a stream interval (<see cref="CompletionJob.Coalescing"/>), a choice's first text and
/// its end are written at once; the text of the tokens between is held until the interval since the last write has
/// passed (or a sequence ends) and leaves as one chunk per choice; the reader meanwhile waits on the interval, not on
/// each token.
/// </summary>
internal sealed class CompletionStream(SseWriter sse, CompletionJob job, ChoiceText[] texts, FinishReason?[] finishes, TimeProvider time)
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    // Per choice, with coalescing: whether its first text has been written (later text is held for the interval).
    private readonly bool[]? _sentText = job.Coalescing is null ? null : new bool[texts.Length];

    // Chunks written and not yet sent.
    private bool _unsent;

    // Text is held for the stream interval.
    private bool _held;

    // When chunks were last sent (the first token's time before that).
    private long _lastWrite;

    /// <summary>Sends the headers (<c>Server-Timing</c> with queue and ttft) with the first token; chat opens each choice with its role.</summary>
    public async Task StartAsync(HttpContext context, string serverTiming, long firstToken, bool chat, CancellationToken aborted)
    {
        _lastWrite = firstToken;
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["Server-Timing"] = serverTiming;
        await context.Response.StartAsync(aborted);
        if (chat)
        {
            for (var i = 0; i < texts.Length; i++)
            {
                sse.WriteChunk(i, "", null, role: true);
            }

            _unsent = true;
        }
    }

    /// <summary>Writes choice <paramref name="index"/>'s last text and its finish reason.</summary>
    public void End(int index, string rest, FinishReason finish)
    {
        sse.WriteChunk(index, rest, finish, role: false);
        _unsent = true;
    }

    /// <summary>Choice <paramref name="index"/> has text ready: written now, or held for the stream interval.</summary>
    public void Ready(int index)
    {
        if (_sentText is null || !_sentText[index])
        {
            sse.WriteChunk(index, texts[index].TakeReady(), null, role: false);
            _unsent = true;
            if (_sentText is not null)
            {
                _sentText[index] = true;
            }
        }
        else
        {
            _held = true;
        }
    }

    /// <summary>
    /// With no token ready: sends what was written, writes the held text once the interval is due, or waits for the
    /// interval or a sequence's end (true); false when there is nothing to do but wait for the next token.
    /// </summary>
    public async ValueTask<bool> FlushOrWaitAsync(CancellationToken aborted)
    {
        var wait = _held ? job.Interval - time.GetElapsedTime(_lastWrite) : TimeSpan.Zero;
        var due = _held && wait <= TimeSpan.Zero;
        if (_unsent || due)
        {
            if (due)
            {
                WriteHeld();
                _held = false;
            }

            await sse.FlushAsync(aborted);
            _unsent = false;
            _lastWrite = time.GetTimestamp();
            return true;
        }

        if (_held)
        {
            await job.Coalescing!.WaitForEndAsync(wait, aborted);
            return true;
        }

        return false;
    }

    /// <summary>The last chunk, usage and <c>[DONE]</c>, in one write.</summary>
    public async ValueTask CompleteAsync(HttpContext context, Usage usage, Metrics metrics, CancellationToken aborted)
    {
        sse.WriteUsage(usage, metrics);
        context.Response.BodyWriter.Write(Done);
        await sse.FlushAsync(aborted);
    }

    // One chunk per unfinished choice whose text waited for the stream interval.
    private void WriteHeld()
    {
        for (var i = 0; i < texts.Length; i++)
        {
            if (finishes[i] is null && texts[i].HasReady)
            {
                sse.WriteChunk(i, texts[i].TakeReady(), null, role: false);
            }
        }
    }
}
