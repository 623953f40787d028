using System.Threading.Channels;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// The token channel of a stream that coalesces tokens (<see cref="LlmOptions.StreamIntervalMs"/>): passes every token on
/// and counts each sequence's end (finish or failure), so that a writer waiting out the interval wakes as soon as a
/// sequence ends instead of holding its last chunk back. With <paramref name="everyToken"/> (a request with stop
/// strings, which only the writer can see in the text) every token wakes it: the writes still wait for the interval,
/// but a stop string stops its sequence at once instead of up to an interval later.
/// </summary>
internal sealed class EndSignalingWriter(ChannelWriter<GeneratedToken> inner, bool everyToken = false) : ChannelWriter<GeneratedToken>
{
    // Never disposed: the generation loop may still report a stopped sequence's end after the request is gone, and
    // without AvailableWaitHandle a SemaphoreSlim holds nothing to release.
    private readonly SemaphoreSlim _ends = new(0);

    public override bool TryWrite(GeneratedToken item)
    {
        if (!inner.TryWrite(item))
        {
            return false;
        }

        if (everyToken || item.Finish is not null || item.Error is not null)
        {
            _ends.Release();
        }

        return true;
    }

    public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) => inner.WaitToWriteAsync(cancellationToken);

    /// <summary>
    /// Completes when a sequence has ended, or with <c>everyToken</c> a token came (true; possibly one the reader has
    /// already taken), or when <paramref name="timeout"/> has passed (false).
    /// </summary>
    public Task<bool> WaitForEndAsync(TimeSpan timeout, CancellationToken cancellationToken) => _ends.WaitAsync(timeout, cancellationToken);
}
