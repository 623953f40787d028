using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// Runs a scenario's iterations under its load phases (open: on a schedule, from a dispatcher thread that only keeps
/// time; closed: copies in a loop) through one shared <see cref="HttpMessageInvoker"/>, and records each iteration and
/// each step: intended start, actual start, first byte, end, status, server phases, class and trace id.
/// </summary>
public sealed partial class LoadEngine
{
    private readonly HttpMessageInvoker _invoker;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeProvider _time;

    public LoadEngine(HttpMessageInvoker invoker, TimeSpan requestTimeout, TimeProvider time)
    {
        _invoker = invoker;
        _requestTimeout = requestTimeout;
        _time = time;
    }

    private RunState? _running;
    private double _runningWarmup;

    /// <summary>Counters of the run in progress, for the live display.</summary>
    public LiveCounters Live { get; private set; } = new();

    /// <summary>The client every iteration shares.</summary>
    public HttpMessageInvoker Invoker => _invoker;

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

    /// <summary>Runs the open model with one request per iteration from <paramref name="source"/>.</summary>
    public async Task<RunRecords> RunOpenAsync(IRequestSource source, OpenModel model, CancellationToken cancellationToken)
    {
        var scenario = Scenario.CreateValue("run", context => Http.Send(context, source)).WithLateAfter(model.LateAfter);
        var phases = new List<LoadPhase> { LoadPhase.Open(model.Schedule, (model.Warmup + model.Duration).TotalSeconds) };
        var run = await RunAsync(scenario, phases, model.Warmup.TotalSeconds, model.MaxInFlight, null, cancellationToken).ConfigureAwait(false);
        return run.Records;
    }

    /// <summary>Runs the closed model with one request per iteration from <paramref name="source"/>.</summary>
    public async Task<RunRecords> RunClosedAsync(IRequestSource source, ClosedModel model, CancellationToken cancellationToken)
    {
        var scenario = Scenario.CreateValue("run", context => Http.Send(context, source));
        var phases = new List<LoadPhase>
        {
            LoadPhase.Closed(model.Concurrency, model.Iterations is null ? (model.Warmup + model.Duration).TotalSeconds : double.PositiveInfinity, model.Iterations),
        };
        var run = await RunAsync(scenario, phases, model.Warmup.TotalSeconds, 0, null, cancellationToken).ConfigureAwait(false);
        return run.Records;
    }

    /// <summary>Sends <paramref name="count"/> requests at once and records them (cold-start bursts).</summary>
    public async Task<RunRecords> RunOnceAsync(IRequestSource source, int count, CancellationToken cancellationToken)
    {
        var scenario = Scenario.CreateValue("run", context => Http.Send(context, source));
        var run = await RunAsync(scenario, [LoadPhase.Closed(count, double.PositiveInfinity, count, oncePerCopy: true)], 0, 0, null, cancellationToken).ConfigureAwait(false);
        return run.Records;
    }

    /// <summary>Runs a scenario and returns its iterations' records; a scenario definition error is thrown.</summary>
    internal async Task<RunRecords> RunRecordsAsync(ScenarioProps scenario, CancellationToken cancellationToken)
    {
        var run = await RunAsync(scenario, scenario.MaxInFlight > 0 ? scenario.MaxInFlight : 512, null, cancellationToken).ConfigureAwait(false);
        return run.DefinitionError is { } error ? throw error : run.Records;
    }

    /// <summary>Runs a scenario under its own load simulations and warm-up.</summary>
    internal Task<ScenarioRun> RunAsync(ScenarioProps scenario, int defaultMaxInFlight, Uri? target, CancellationToken cancellationToken) =>
        RunAsync(scenario, LoadPhase.Compile(scenario.LoadSimulations, scenario.WarmUpDuration), scenario.WarmUpDuration.TotalSeconds,
            scenario.MaxInFlight > 0 ? scenario.MaxInFlight : defaultMaxInFlight, null, cancellationToken, target);

    private async Task<ScenarioRun> RunAsync(ScenarioProps scenario, List<LoadPhase> phases, double warmupSeconds, int maxInFlight, string? modelName, CancellationToken cancellationToken, Uri? target = null)
    {
        var state = new RunState(scenario.Name, target, _invoker, _time, cancellationToken);
        Live = state.Counters;
        _runningWarmup = warmupSeconds;
        Volatile.Write(ref _running, state);
        var frequency = _time.TimestampFrequency;
        var warmupEndTicks = (long)(warmupSeconds * frequency);
        maxInFlight = Math.Max(1, maxInFlight);
        using var slots = new SemaphoreSlim(maxInFlight, maxInFlight);
        state.Slots = slots;
        var lateAfterTicks = (long)(scenario.LateAfter.TotalSeconds * frequency);
        state.LateAfterTicks = lateAfterTicks;
        var sequence = new long[1];
        long dropped = 0, due = 0;
        double phaseStart = 0;
        double targetRate = 0;
        var copies = 0;
        bool anyOpen = false, anyClosed = false;
        foreach (var phase in phases)
        {
            if (state.CancellationToken.IsCancellationRequested)
            {
                break;
            }

            if (phase.Schedule is { } schedule)
            {
                anyOpen = true;
                var (phaseDue, phaseDropped) = await RunOpenPhaseAsync(state, scenario, schedule, phaseStart, phase.Seconds, warmupSeconds, slots, sequence).ConfigureAwait(false);
                due += phaseDue;
                dropped += phaseDropped;
                phaseStart += phase.Seconds;
                targetRate = schedule.RateAt(phase.Seconds);
            }
            else
            {
                anyClosed = true;
                copies = Math.Max(copies, phase.Copies);
                var end = double.IsPositiveInfinity(phase.Seconds) ? long.MaxValue : (long)((phaseStart + phase.Seconds) * frequency);
                due += await RunClosedPhaseAsync(state, scenario, phase, end, warmupEndTicks, sequence).ConfigureAwait(false);
                phaseStart = double.IsPositiveInfinity(phase.Seconds)
                    ? Math.Max(phaseStart, state.Now() / (double)frequency)
                    : Math.Max(phaseStart + phase.Seconds, state.Now() / (double)frequency);
            }
        }

        state.Leave();
        await state.WhenDrainedAsync().ConfigureAwait(false);
        state.Stop.Dispose();
        var records = state.Records.ToList();
        long lastEnd = 0;
        foreach (ref readonly var record in records)
        {
            lastEnd = Math.Max(lastEnd, record.EndTicks);
        }

        var measured = anyClosed
            ? Math.Max(phaseStart, lastEnd / (double)frequency) - warmupSeconds
            : phaseStart - warmupSeconds;
        var model = modelName ?? (phases.TrueForAll(p => p.OncePerCopy) ? "burst" : anyOpen && anyClosed ? "mixed" : anyOpen ? "open" : "closed");
        var steps = new List<(string, RunRecords)>();
        foreach (var step in state.Steps.Ordered)
        {
            steps.Add((step.Name, Records(step.Records.ToList(), state, model, warmupSeconds, measured, 0, 0, 0, targetRate, anyOpen ? maxInFlight : copies)));
        }

        return new ScenarioRun
        {
            Records = Records(records, state, model, warmupSeconds, measured, due, dropped, state.Late, targetRate, anyOpen ? maxInFlight : copies),
            Steps = steps,
            Failures = state.Failures.Snapshot(),
            DefinitionError = state.DefinitionError,
        };
    }

    /// <summary>
    /// The run in progress so far, for thresholds checked while it goes: the records completely written by now (read in
    /// place), each step's, the failures; null before a run or during its warm-up.
    /// </summary>
    internal ScenarioRun? Snapshot()
    {
        if (Volatile.Read(ref _running) is not { } state)
        {
            return null;
        }

        var warmup = _runningWarmup;
        var measured = (state.Now() / (double)_time.TimestampFrequency) - warmup;
        if (measured <= 0)
        {
            return null;
        }

        var steps = new List<(string, RunRecords)>();
        foreach (var step in state.Steps.Ordered)
        {
            steps.Add((step.Name, Records(step.Records.Written(), state, "live", warmup, measured, 0, 0, 0, 0, 0)));
        }

        return new ScenarioRun
        {
            Records = Records(state.Records.Written(), state, "live", warmup, measured, 0, state.Counters.Dropped, state.Late, 0, 0),
            Steps = steps,
            Failures = state.Failures.Snapshot(),
        };
    }

    private RunRecords Records(RecordList records, RunState state, string model, double warmupSeconds, double measured, long due, long dropped, long late, double targetRate, int concurrency) => new()
    {
        Records = records,
        StartedAt = state.StartedAt,
        Frequency = _time.TimestampFrequency,
        Model = model,
        WarmupSeconds = warmupSeconds,
        MeasuredSeconds = Math.Max(1e-6, measured),
        Due = due,
        Dropped = dropped,
        Late = late,
        TargetRate = targetRate,
        Concurrency = concurrency,
    };

    /// <summary>Runs the phase's copies; returns how many measured iterations they started (a closed model's due ones).</summary>
    private async Task<long> RunClosedPhaseAsync(RunState state, ScenarioProps scenario, LoadPhase phase, long endTicks, long warmupEndTicks, long[] sequence)
    {
        var measuredLeft = phase.Iterations ?? long.MaxValue;
        long started = 0;

        async Task CopyAsync()
        {
            do
            {
                if (state.CancellationToken.IsCancellationRequested)
                {
                    return;
                }

                var now = state.Now();
                var warmup = now < warmupEndTicks;
                if (!warmup && (now >= endTicks || Interlocked.Decrement(ref measuredLeft) < 0))
                {
                    return;
                }

                if (!warmup)
                {
                    Interlocked.Increment(ref started);
                }

                state.Counters.OnSent();
                state.Enter();
                await RunIterationAsync(state, scenario, Interlocked.Increment(ref sequence[0]) - 1, now, warmup, holdsSlot: false).ConfigureAwait(false);
            }
            while (!phase.OncePerCopy);
        }

        var copies = new Task[phase.Copies];
        for (var i = 0; i < copies.Length; i++)
        {
            copies[i] = Task.Run(CopyAsync, CancellationToken.None);
        }

        await Task.WhenAll(copies).ConfigureAwait(false);
        return started;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RunIterationAsync(RunState state, ScenarioProps scenario, long sequence, long intendedTicks, bool warmup, bool holdsSlot)
    {
        var context = state.RentContext();
        context.Begin(sequence, intendedTicks, warmup, _requestTimeout);

        // Only the open model has a schedule to be late for; a closed copy's intended start is its actual one.
        if (holdsSlot && !warmup && context.Record.SentTicks - intendedTicks > state.LateAfterTicks)
        {
            state.OnLate();
        }

        RequestOutcome outcome;
        string? failure = null;
        try
        {
            var response = await scenario.Invoke(context).ConfigureAwait(false);
            outcome = response.Outcome;
            if (response.StatusCode != 0)
            {
                context.Record.Status = response.StatusCode;
            }

            if (response.IsError)
            {
                failure = response.Message ?? (response.StatusCode > 0 ? HttpStatusText.Of(response.StatusCode) : "Response.Fail()");
            }
        }
        catch (StepFailedException ex)
        {
            outcome = ex.Response.Outcome;
            failure = ex.Message;
        }
        catch (ScenarioDefinitionException ex)
        {
            state.Fail(ex);
            outcome = RequestOutcome.Failed;
            failure = ex.Message;
        }
        catch (OperationCanceledException) when (context.TimedOut)
        {
            outcome = RequestOutcome.Timeout;
            failure = $"timeout: no answer within {_requestTimeout.TotalSeconds:0.###} s";
        }
        catch (OperationCanceledException)
        {
            outcome = RequestOutcome.Failed;
            failure = "cancelled: the run stopped";
        }
        catch (Exception ex)
        {
            // A scenario that throws is a failed iteration with its message, never a crash of the run.
            outcome = RequestOutcome.Failed;
            failure = $"{ex.GetType().Name}: {ex.Message}";
        }

        ref var record = ref context.Record;
        record.EndTicks = state.Now();
        if (record.FirstByteTicks == 0)
        {
            record.FirstByteTicks = record.EndTicks;
        }

        record.Outcome = outcome;
        record.Class = outcome == RequestOutcome.Ok ? context.BodyClass ?? ServerTiming.Classify(record) : RequestClass.Error;
        state.Records.Add(record);
        if (failure is not null && !warmup)
        {
            state.Failures.Add(failure);
        }

        state.Counters.OnCompleted(outcome != RequestOutcome.Ok, record.CorrectedTicks * 1_000_000 / _time.TimestampFrequency);
        state.ReturnContext(context);
        if (holdsSlot)
        {
            state.Slots?.Release();
        }

        state.Leave();
    }

    private sealed class IterationWorkItem : IThreadPoolWorkItem
    {
        private static readonly ConcurrentBag<IterationWorkItem> Pool = [];
        private LoadEngine? _engine;
        private RunState? _state;
        private ScenarioProps? _scenario;
        private long _sequence;
        private long _intended;
        private bool _warmup;

        public static IterationWorkItem Rent(LoadEngine engine, RunState state, ScenarioProps scenario, long sequence, long intended, bool warmup)
        {
            var item = Pool.TryTake(out var pooled) ? pooled : new IterationWorkItem();
            (item._engine, item._state, item._scenario, item._sequence, item._intended, item._warmup) = (engine, state, scenario, sequence, intended, warmup);
            return item;
        }

        public void Execute()
        {
            var (engine, state, scenario, sequence, intended, warmup) = (_engine!, _state!, _scenario!, _sequence, _intended, _warmup);
            (_engine, _state, _scenario) = (null, null, null);
            Pool.Add(this);
            _ = engine.RunIterationAsync(state, scenario, sequence, intended, warmup, holdsSlot: true);
        }
    }
}
