using System.Threading.Channels;
using BenchPlatform.InferenceWorker.Llm;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>
/// A sequence's output that holds the generation loop inside its first write until the test opens the gate:
/// the sequence (and the loop) cannot move on until the test lets it.
/// </summary>
internal sealed class GatedWriter : ChannelWriter<GeneratedToken>, IDisposable
{
    private readonly Channel<GeneratedToken> _inner = Channel.CreateUnbounded<GeneratedToken>();
    private readonly ManualResetEventSlim _open = new(false);
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the loop is held in the first write.</summary>
    public Task Entered => _entered.Task;

    /// <summary>What the loop wrote, readable once the gate is open.</summary>
    public ChannelReader<GeneratedToken> Reader => _inner.Reader;

    public void Open() => _open.Set();

    public override bool TryWrite(GeneratedToken item)
    {
        _entered.TrySetResult();
        if (!_open.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("The test never opened the gate.");
        }

        return _inner.Writer.TryWrite(item);
    }

    public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) => _inner.Writer.WaitToWriteAsync(cancellationToken);

    public void Dispose()
    {
        _open.Set();
        _open.Dispose();
    }
}
