using System.Diagnostics;
using System.Threading.Channels;
using BenchPlatform.InferenceWorker.Sessions;

namespace BenchPlatform.InferenceWorker.Batching;

/// <summary>
/// One model's queue and its runners. Admission: a request is refused at once (<see cref="OverloadedException"/>) when
/// the work queued ahead of it would take longer than the queue bound, or than its own deadline, to drain; the
/// expected wait is the queue's length times the measured runner time per request (<see cref="RunCost"/>), so the bound
/// is in time, not in requests, and follows the machine. Work whose caller left or whose deadline passed while it
/// waited is dropped when a runner reaches it, never run; work that waited longer than the bound anyway (admitted before
/// the first runs were measured, or behind a run that stalled) is refused then.
/// Batching (Triton-style, when the model allows merging): a runner takes what is waiting, up to the most rows whose
/// run is expected to fit the batch latency budget and never more than the maximum batch, waiting up to the maximum
/// queue delay for more; groups requests whose non-batch dimensions agree; and runs each group as one call. Several
/// runners share the queue, so a model whose run cost grows with the batch still uses every core, while requests that
/// arrive while every runner is busy are merged by the next free one.
/// </summary>
internal sealed class ModelBatcher : IAsyncDisposable
{
    private readonly Channel<InferWork> _queue = Channel.CreateUnbounded<InferWork>(new UnboundedChannelOptions { SingleReader = false });
    private readonly LoadedModel _model;
    private readonly BatcherSettings _settings;
    private readonly TimeProvider _time;
    private readonly Task[] _runners;
    private int _queued;
    private int _running;

    public ModelBatcher(LoadedModel model, BatcherSettings settings, TimeProvider time)
    {
        _model = model;
        _settings = settings;
        _time = time;
        _runners = new Task[Math.Max(1, settings.Runners)];
        for (var i = 0; i < _runners.Length; i++)
        {
            _runners[i] = Task.Run(LoopAsync);
        }
    }

    /// <summary>What the model's runs have cost lately.</summary>
    public RunCost Cost { get; } = new();

    /// <summary>Requests waiting for a runner.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Runs in progress.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Queues <paramref name="work"/>, or fails it at once when the wait ahead of it is over a bound.</summary>
    public void Enqueue(InferWork work)
    {
        var queued = Volatile.Read(ref _queued);
        if (Refusal(work, queued) is { } refused)
        {
            work.Fail(refused);
            return;
        }

        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(work))
        {
            Interlocked.Decrement(ref _queued);
            work.Fail(new ObjectDisposedException($"Model '{_model.Record.Name}' was unloaded; retry the request."));
        }
    }

    private OverloadedException? Refusal(InferWork work, int queued)
    {
        var name = _model.Record.Name;
        if (queued >= _settings.MaxQueueLength)
        {
            return new OverloadedException(
                $"Model '{name}' has {queued} requests queued, the most this worker holds (Inference:MaxQueueLength); retry later.",
                TimeSpan.FromSeconds(1));
        }

        if (!Cost.Known)
        {
            // Nothing measured yet (the model's first runs): only the length bound applies.
            return null;
        }

        var perRequest = Cost.MsPerRequest;
        var waitMs = queued * perRequest / _runners.Length;
        if (waitMs > _settings.MaxQueueWait.TotalMilliseconds)
        {
            return new OverloadedException(
                $"Model '{name}' has {queued} requests queued, about {waitMs:0} ms of work at {perRequest:0.###} ms each, over this worker's " +
                $"{_settings.MaxQueueWait.TotalMilliseconds:0} ms queue bound (Inference:MaxQueueWaitMilliseconds); retry later.",
                TimeSpan.FromMilliseconds(waitMs));
        }

        if (work.Deadline != 0)
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), work.Deadline).TotalMilliseconds;
            if (waitMs + perRequest > left)
            {
                return new OverloadedException(
                    $"Model '{name}' would answer in about {waitMs + perRequest:0} ms ({queued} queued ahead), after the request's deadline " +
                    $"({Math.Max(0, left):0} ms left); retry later or allow more time with a longer Request-Timeout.",
                    TimeSpan.FromMilliseconds(waitMs));
            }
        }

        return null;
    }

    private async Task LoopAsync()
    {
        var batch = new List<InferWork>();
        var group = new List<InferWork>();
        InferWork? carry = null;
        while (carry is not null || await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            var rowLimit = _settings.Merge ? Cost.MaxRows(_settings.BatchLatencyBudget.TotalMilliseconds, _settings.MaxRows) : 1;
            var rows = 0;
            if (carry is not null)
            {
                batch.Add(carry);
                rows = carry.Rows;
                carry = null;
            }

            rows = Take(batch, rows, rowLimit, ref carry);
            if (_settings.Merge && _settings.MaxQueueDelay > TimeSpan.Zero && rows < rowLimit && batch.Count > 0)
            {
                var deadline = _time.GetTimestamp() + (long)(_settings.MaxQueueDelay.TotalSeconds * _time.TimestampFrequency);
                while (rows < rowLimit && carry is null)
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

                    rows = Take(batch, rows, rowLimit, ref carry);
                }
            }

            // A caller may have left, or a deadline passed, while the batch filled or the carried request waited.
            var now = Stopwatch.GetTimestamp();
            batch.RemoveAll(work => work.DropIfUnwanted(now, _settings.MaxQueueWait));

            // Requests whose non-batch dimensions differ cannot share a tensor: run each compatible group.
            while (batch.Count > 0)
            {
                group.Clear();
                group.Add(batch[0]);
                var groupRows = batch[0].Rows;
                for (var i = 1; i < batch.Count; i++)
                {
                    if (batch[0].Compatible(batch[i]))
                    {
                        group.Add(batch[i]);
                        groupRows += batch[i].Rows;
                    }
                }

                batch.RemoveAll(group.Contains);
                var started = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref _running);
                BatchExecutor.Execute(_model, group);
                Interlocked.Decrement(ref _running);
                Cost.Record(group.Count, groupRows, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }

    /// <summary>Moves waiting work into <paramref name="batch"/> up to <paramref name="rowLimit"/> rows, dropping unwanted work.</summary>
    private int Take(List<InferWork> batch, int rows, int rowLimit, ref InferWork? carry)
    {
        while (rows < rowLimit && _queue.Reader.TryRead(out var work))
        {
            Interlocked.Decrement(ref _queued);
            if (work.DropIfUnwanted(Stopwatch.GetTimestamp(), _settings.MaxQueueWait))
            {
                continue;
            }

            if (rows > 0 && rows + work.Rows > rowLimit)
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

/// <summary>How one model's queue admits and batches.</summary>
/// <param name="Merge">Whether requests may be merged into one run (the model's batch dimension is dynamic and batching is on).</param>
/// <param name="MaxRows">The most rows in one merged run.</param>
/// <param name="MaxQueueDelay">How long a runner waits for more requests to join a batch.</param>
/// <param name="BatchLatencyBudget">The longest a merged run is expected to take; a batch stops growing at the rows that fit.</param>
/// <param name="Runners">Runs of the model that may go at once.</param>
/// <param name="MaxQueueWait">The longest expected wait a request is admitted to.</param>
/// <param name="MaxQueueLength">The most requests queued, whatever their cost.</param>
internal sealed record BatcherSettings(
    bool Merge, int MaxRows, TimeSpan MaxQueueDelay, TimeSpan BatchLatencyBudget, int Runners, TimeSpan MaxQueueWait, int MaxQueueLength);
