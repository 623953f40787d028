using System.Threading.Channels;
using BenchPlatform.InferenceWorker.Sessions;

namespace BenchPlatform.InferenceWorker.Batching;

/// <summary>
/// Triton-style dynamic batching for one model: requests queue; the loop takes what is waiting (up to the
/// maximum batch in rows, waiting up to the maximum queue delay for more when it is above zero), groups
/// requests whose non-batch dimensions agree, and runs each group as one call. Several runners share the queue, so
/// a model whose run cost grows with the batch (no gain from merging) still uses every core, while requests that
/// arrive while every runner is busy are merged by the next free one.
/// </summary>
internal sealed class ModelBatcher : IAsyncDisposable
{
    private readonly Channel<InferWork> _queue = Channel.CreateUnbounded<InferWork>(new UnboundedChannelOptions { SingleReader = false });
    private readonly LoadedModel _model;
    private readonly int _maxRows;
    private readonly TimeSpan _maxDelay;
    private readonly TimeProvider _time;
    private readonly Task[] _runners;

    public ModelBatcher(LoadedModel model, int maxRows, TimeSpan maxDelay, int runners, TimeProvider time)
    {
        _model = model;
        _maxRows = maxRows;
        _maxDelay = maxDelay;
        _time = time;
        _runners = new Task[Math.Max(1, runners)];
        for (var i = 0; i < _runners.Length; i++)
        {
            _runners[i] = Task.Run(LoopAsync);
        }
    }

    public void Enqueue(InferWork work)
    {
        if (!_queue.Writer.TryWrite(work))
        {
            work.Fail(new ObjectDisposedException($"Model '{_model.Record.Name}' was unloaded; retry the request."));
        }
    }

    private async Task LoopAsync()
    {
        var batch = new List<InferWork>();
        var group = new List<InferWork>();
        InferWork? carry = null;
        while (carry is not null || await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            var rows = 0;
            if (carry is not null)
            {
                batch.Add(carry);
                rows = carry.Rows;
                carry = null;
            }

            rows = Take(batch, rows, ref carry);
            if (_maxDelay > TimeSpan.Zero && rows < _maxRows && batch.Count > 0)
            {
                var deadline = _time.GetTimestamp() + (long)(_maxDelay.TotalSeconds * _time.TimestampFrequency);
                while (rows < _maxRows && carry is null)
                {
                    var left = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
                    if (left <= TimeSpan.Zero)
                    {
                        break;
                    }

                    using var timeout = new CancellationTokenSource(left, _time);
                    try
                    {
                        if (!await _queue.Reader.WaitToReadAsync(timeout.Token))
                        {
                            break;
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    rows = Take(batch, rows, ref carry);
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            // Requests whose non-batch dimensions differ cannot share a tensor: run each compatible group.
            while (batch.Count > 0)
            {
                group.Clear();
                group.Add(batch[0]);
                for (var i = 1; i < batch.Count; i++)
                {
                    if (batch[0].Compatible(batch[i]))
                    {
                        group.Add(batch[i]);
                    }
                }

                batch.RemoveAll(group.Contains);
                BatchExecutor.Execute(_model, group);
            }
        }
    }

    private int Take(List<InferWork> batch, int rows, ref InferWork? carry)
    {
        while (rows < _maxRows && _queue.Reader.TryRead(out var work))
        {
            if (rows > 0 && rows + work.Rows > _maxRows)
            {
                carry = work;
                break;
            }

            batch.Add(work);
            rows += work.Rows;
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_runners);
    }
}
