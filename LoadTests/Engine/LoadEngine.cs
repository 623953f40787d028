using System.Collections.Concurrent;

namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// Sends requests through one shared <see cref="HttpMessageInvoker"/> under an open or a closed model and records
/// each one: intended start, actual start, first byte, end, status, server phases and class.
/// </summary>
public sealed class LoadEngine
{
    private readonly HttpMessageInvoker _invoker;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeProvider _time;
    private readonly ConcurrentBag<CancellationTokenSource> _timeouts = [];

    public LoadEngine(HttpMessageInvoker invoker, TimeSpan requestTimeout, TimeProvider time)
    {
        _invoker = invoker;
        _requestTimeout = requestTimeout;
        _time = time;
    }

    /// <summary>Counters of the run in progress, for the live display.</summary>
    public LiveCounters Live { get; private set; } = new();

    /// <summary>A handler sized for load generation: pooled connections without a per-server cap, no cookies, no proxy.</summary>
    public static SocketsHttpHandler CreateHandler(int maxConnections) => new()
    {
        MaxConnectionsPerServer = Math.Max(1, maxConnections),
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        UseCookies = false,
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        EnableMultipleHttp2Connections = true,
    };

    /// <summary>Runs the open model: requests start on the schedule whether or not earlier ones were answered.</summary>
    public async Task<RunRecords> RunOpenAsync(IRequestSource source, OpenModel model, CancellationToken cancellationToken)
    {
        var state = new RunState(this, source, _time.GetTimestamp(), cancellationToken);
        Live = state.Counters;
        var frequency = _time.TimestampFrequency;
        var warmupEnd = model.Warmup.TotalSeconds;
        var end = warmupEnd + model.Duration.TotalSeconds;
        var lateAfterTicks = (long)(model.LateAfter.TotalSeconds * frequency);
        using var slots = new SemaphoreSlim(model.MaxInFlight, model.MaxInFlight);
        state.Slots = slots;
        long dropped = 0;
        long late = 0;

        var dispatcher = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                (dropped, late) = Dispatch(state, model.Schedule, warmupEnd, end, lateAfterTicks, slots);
                dispatcher.SetResult();
            }
            catch (Exception ex)
            {
                dispatcher.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "loadtests-dispatcher",
            Priority = ThreadPriority.AboveNormal,
        };
        thread.Start();
        await dispatcher.Task.ConfigureAwait(false);
        state.Counters.OnDropped(dropped);
        state.Leave();
        await state.WhenDrainedAsync().ConfigureAwait(false);

        return new RunRecords
        {
            Records = state.Records.ToArray(),
            StartedAt = state.StartedAt,
            Frequency = frequency,
            Model = "open",
            WarmupSeconds = warmupEnd,
            MeasuredSeconds = model.Duration.TotalSeconds,
            Dropped = dropped,
            Late = late,
            TargetRate = model.Schedule.RateAt(end),
            Concurrency = model.MaxInFlight,
        };
    }

    /// <summary>Runs the closed model: each client sends its next request when the previous one is answered.</summary>
    public async Task<RunRecords> RunClosedAsync(IRequestSource source, ClosedModel model, CancellationToken cancellationToken)
    {
        var state = new RunState(this, source, _time.GetTimestamp(), cancellationToken);
        Live = state.Counters;
        var frequency = _time.TimestampFrequency;
        var warmupEndTicks = (long)(model.Warmup.TotalSeconds * frequency);
        var endTicks = warmupEndTicks + (long)(model.Duration.TotalSeconds * frequency);
        long nextMeasured = 0;
        long nextSequence = 0;

        async Task ClientAsync()
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = _time.GetTimestamp() - state.Start;
                var warmup = now < warmupEndTicks;
                if (!warmup)
                {
                    if (model.Iterations is { } iterations)
                    {
                        if (Interlocked.Increment(ref nextMeasured) > iterations)
                        {
                            return;
                        }
                    }
                    else if (now >= endTicks)
                    {
                        return;
                    }
                }

                var sequence = Interlocked.Increment(ref nextSequence) - 1;
                state.Counters.OnSent(false);
                state.Enter();
                await SendOneAsync(state, sequence, now, warmup).ConfigureAwait(false);
            }
        }

        var clients = new Task[model.Concurrency];
        for (var i = 0; i < clients.Length; i++)
        {
            clients[i] = Task.Run(ClientAsync, CancellationToken.None);
        }

        await Task.WhenAll(clients).ConfigureAwait(false);
        state.Leave();
        await state.WhenDrainedAsync().ConfigureAwait(false);
        var records = state.Records.ToArray();
        long lastEnd = warmupEndTicks;
        foreach (ref readonly var record in records.AsSpan())
        {
            lastEnd = Math.Max(lastEnd, record.EndTicks);
        }

        return new RunRecords
        {
            Records = records,
            StartedAt = state.StartedAt,
            Frequency = frequency,
            Model = "closed",
            WarmupSeconds = model.Warmup.TotalSeconds,
            MeasuredSeconds = Math.Max(1e-6, (lastEnd - warmupEndTicks) / (double)frequency),
            Dropped = 0,
            Late = 0,
            TargetRate = 0,
            Concurrency = model.Concurrency,
        };
    }

    /// <summary>Sends one request now and records it (single requests of cold-start scenarios).</summary>
    public async Task<RunRecords> RunOnceAsync(IRequestSource source, int count, CancellationToken cancellationToken)
    {
        var state = new RunState(this, source, _time.GetTimestamp(), cancellationToken);
        Live = state.Counters;
        var sends = new Task[count];
        var now = _time.GetTimestamp() - state.Start;
        for (var i = 0; i < count; i++)
        {
            state.Counters.OnSent(false);
            state.Enter();
            sends[i] = SendOneAsync(state, i, now, false);
        }

        await Task.WhenAll(sends).ConfigureAwait(false);
        state.Leave();
        await state.WhenDrainedAsync().ConfigureAwait(false);
        var records = state.Records.ToArray();
        long lastEnd = 0;
        foreach (ref readonly var record in records.AsSpan())
        {
            lastEnd = Math.Max(lastEnd, record.EndTicks);
        }

        return new RunRecords
        {
            Records = records,
            StartedAt = state.StartedAt,
            Frequency = _time.TimestampFrequency,
            Model = "burst",
            WarmupSeconds = 0,
            MeasuredSeconds = Math.Max(1e-6, lastEnd / (double)_time.TimestampFrequency),
            Dropped = 0,
            Late = 0,
            TargetRate = 0,
            Concurrency = count,
        };
    }

    private (long Dropped, long Late) Dispatch(RunState state, IArrivalSchedule schedule, double warmupEnd, double end, long lateAfterTicks, SemaphoreSlim slots)
    {
        var frequency = _time.TimestampFrequency;
        var endTicks = (long)(end * frequency);
        var oneMs = frequency / 1000;
        long late = 0;
        for (long sequence = 0; ; sequence++)
        {
            var offset = schedule.OffsetSeconds(sequence);
            if (offset >= end)
            {
                return (0, late);
            }

            var intended = (long)(offset * frequency);
            while (true)
            {
                if (state.CancellationToken.IsCancellationRequested)
                {
                    return (0, late);
                }

                var wait = intended - (_time.GetTimestamp() - state.Start);
                if (wait <= 0)
                {
                    break;
                }

                if (wait > 2 * oneMs)
                {
                    Thread.Sleep((int)((wait - oneMs) / oneMs));
                }
                else if (wait > oneMs / 20)
                {
                    // Timer slack makes usleep overshoot by ~50 µs: ask for a little less and finish the wait in the loop.
                    PreciseSleep.Microseconds((wait * 1_000_000 / frequency) - 40);
                }
                else
                {
                    Thread.SpinWait(20);
                }
            }

            if (!slots.Wait(0))
            {
                // Every slot is busy: wait for one, but never past the end of the run.
                while (true)
                {
                    var left = endTicks - (_time.GetTimestamp() - state.Start);
                    if (left <= 0 || state.CancellationToken.IsCancellationRequested)
                    {
                        return (CountDue(schedule, sequence, warmupEnd, end), late);
                    }

                    if (slots.Wait(TimeSpan.FromSeconds(Math.Min(left / (double)frequency, 0.25))))
                    {
                        break;
                    }
                }
            }

            var warmup = offset < warmupEnd;
            var now = _time.GetTimestamp() - state.Start;
            var isLate = now - intended > lateAfterTicks;
            if (isLate && !warmup)
            {
                late++;
            }

            state.Counters.OnSent(isLate && !warmup);
            state.Enter();

            // The send path runs on the thread pool so the dispatcher only keeps time; work items are pooled.
            ThreadPool.UnsafeQueueUserWorkItem(SendWorkItem.Rent(this, state, sequence, intended, warmup), preferLocal: false);
        }
    }

    private static long CountDue(IArrivalSchedule schedule, long from, double warmupEnd, double end)
    {
        long count = 0;
        for (var sequence = from; ; sequence++)
        {
            var offset = schedule.OffsetSeconds(sequence);
            if (offset >= end)
            {
                return count;
            }

            if (offset >= warmupEnd)
            {
                count++;
            }
        }
    }

    private async Task SendOneAsync(RunState state, long sequence, long intendedTicks, bool warmup)
    {
        var record = new RequestRecord
        {
            Sequence = sequence,
            IntendedTicks = intendedTicks,
            Warmup = warmup,
            GatewayMs = float.NaN,
            QueueMs = float.NaN,
            ColdMs = float.NaN,
            InferMs = float.NaN,
            LoadMs = float.NaN,
            TraceHigh = (ulong)Random.Shared.NextInt64(),
            TraceLow = (ulong)Random.Shared.NextInt64(),
        };
        RequestClass? bodyClass = null;
        var timeout = RentTimeout();
        HttpRequestMessage? request = null;
        try
        {
            request = state.Source.Create(sequence);
            request.Headers.TryAddWithoutValidation("traceparent", TraceParent.Format(record.TraceHigh, record.TraceLow));
            using var linked = state.CancellationToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, state.CancellationToken)
                : null;
            var token = linked?.Token ?? timeout.Token;
            timeout.CancelAfter(_requestTimeout);
            record.SentTicks = _time.GetTimestamp() - state.Start;
            using var response = await _invoker.SendAsync(request, token).ConfigureAwait(false);
            record.FirstByteTicks = _time.GetTimestamp() - state.Start;
            record.Status = (int)response.StatusCode;
            if (response.Headers.NonValidated.TryGetValues("Server-Timing", out var timings))
            {
                foreach (var value in timings)
                {
                    ServerTiming.Apply(value, ref record);
                }
            }

            if (response.IsSuccessStatusCode)
            {
                var reading = await state.Source.ReadAsync(response, token).ConfigureAwait(false);
                record.Outcome = reading.Ok ? RequestOutcome.Ok : RequestOutcome.Failed;
                record.Tokens = reading.Tokens;
                record.FirstTokenTicks = reading.FirstTokenTimestamp == 0 ? 0 : reading.FirstTokenTimestamp - state.Start;
                bodyClass = reading.Class;
            }
            else
            {
                await BodyDrain.DrainAsync(response.Content, token).ConfigureAwait(false);
                record.Outcome = RequestOutcome.HttpError;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            record.Outcome = RequestOutcome.Timeout;
        }
        catch (OperationCanceledException)
        {
            record.Outcome = RequestOutcome.Failed;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or System.Text.Json.JsonException or FormatException)
        {
            record.Outcome = RequestOutcome.Failed;
        }
        finally
        {
            request?.Dispose();
        }

        if (record.SentTicks == 0)
        {
            record.SentTicks = _time.GetTimestamp() - state.Start;
        }

        record.EndTicks = _time.GetTimestamp() - state.Start;
        record.Class = record.Outcome == RequestOutcome.Ok ? bodyClass ?? ServerTiming.Classify(record) : RequestClass.Error;
        ReturnTimeout(timeout);
        state.Records.Add(record);
        state.Counters.OnCompleted(record.Outcome != RequestOutcome.Ok, record.CorrectedTicks * 1_000_000 / _time.TimestampFrequency);
        state.Slots?.Release();
        state.Leave();
    }

    private CancellationTokenSource RentTimeout() => _timeouts.TryTake(out var cts) ? cts : new CancellationTokenSource();

    private void ReturnTimeout(CancellationTokenSource cts)
    {
        if (cts.TryReset())
        {
            _timeouts.Add(cts);
        }
        else
        {
            cts.Dispose();
        }
    }

    private sealed class SendWorkItem : IThreadPoolWorkItem
    {
        private static readonly ConcurrentBag<SendWorkItem> Pool = [];
        private LoadEngine? _engine;
        private RunState? _state;
        private long _sequence;
        private long _intended;
        private bool _warmup;

        public static SendWorkItem Rent(LoadEngine engine, RunState state, long sequence, long intended, bool warmup)
        {
            var item = Pool.TryTake(out var pooled) ? pooled : new SendWorkItem();
            (item._engine, item._state, item._sequence, item._intended, item._warmup) = (engine, state, sequence, intended, warmup);
            return item;
        }

        public void Execute()
        {
            var (engine, state, sequence, intended, warmup) = (_engine!, _state!, _sequence, _intended, _warmup);
            (_engine, _state) = (null, null);
            Pool.Add(this);
            _ = engine.SendOneAsync(state, sequence, intended, warmup);
        }
    }

    private sealed class RunState
    {
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _outstanding = 1;

        public RunState(LoadEngine engine, IRequestSource source, long start, CancellationToken cancellationToken)
        {
            Source = source;
            Start = start;
            StartedAt = engine._time.GetUtcNow();
            CancellationToken = cancellationToken;
        }

        public IRequestSource Source { get; }

        public long Start { get; }

        public DateTimeOffset StartedAt { get; }

        public CancellationToken CancellationToken { get; }

        public RecordBuffer Records { get; } = new();

        public LiveCounters Counters { get; } = new();

        public SemaphoreSlim? Slots { get; set; }

        public void Enter() => Interlocked.Increment(ref _outstanding);

        public void Leave()
        {
            if (Interlocked.Decrement(ref _outstanding) == 0)
            {
                _drained.TrySetResult();
            }
        }

        public Task WhenDrainedAsync()
        {
            return _drained.Task;
        }
    }
}
