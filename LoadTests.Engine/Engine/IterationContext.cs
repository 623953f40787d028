namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// One iteration in flight: the <see cref="IScenarioContext"/> the scenario sees and the records the engine fills
/// (the iteration's, and the running step's). Pooled per run, so an iteration allocates none of it.
/// </summary>
internal sealed class IterationContext : IScenarioContext
{
    private ulong _stepMask;
    private HashSet<int>? _moreSteps;
    private string? _traceId;
    private CancellationTokenSource _cancellation = new();

    public IterationContext(RunState run)
    {
        Run = run;
    }

    public RunState Run { get; }

    /// <summary>The iteration's record.</summary>
    public RequestRecord Record;

    /// <summary>The running step's record.</summary>
    public RequestRecord StepRecord;

    public StepState? Step { get; private set; }

    /// <summary>A class the body named for the iteration (a code block's <c>start</c>).</summary>
    public RequestClass? BodyClass { get; set; }

    public RequestClass? StepBodyClass { get; set; }

    public string ScenarioName => Run.ScenarioName;

    public long InvocationNumber => Record.Sequence;

    public bool IsWarmUp => Record.Warmup;

    public Uri? Target => Run.Target;

    public HttpMessageInvoker Client => Run.Client;

    public CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>Whether this iteration's own timeout fired (not the run's stop).</summary>
    public bool TimedOut => _cancellation.IsCancellationRequested && !Run.CancellationToken.IsCancellationRequested;

    public string TraceId => _traceId ??= TraceParent.TraceId(Record.TraceHigh, Record.TraceLow);

    /// <summary>The record an HTTP call inside the iteration writes to: the running step's, else the iteration's.</summary>
    public ref RequestRecord Active => ref Step is null ? ref Record : ref StepRecord;

    public void Begin(long sequence, long intendedTicks, bool warmup, TimeSpan timeout)
    {
        if (!_cancellation.TryReset() || Run.CancellationToken.IsCancellationRequested)
        {
            _cancellation.Dispose();
            _cancellation = Run.CancellationToken.IsCancellationRequested
                ? CancellationTokenSource.CreateLinkedTokenSource(Run.CancellationToken)
                : new CancellationTokenSource();
        }

        _cancellation.CancelAfter(timeout);
        Record = RequestRecord.Create(sequence, intendedTicks, warmup);
        Record.SentTicks = Run.Now();
        BodyClass = null;
        _stepMask = 0;
        _moreSteps?.Clear();
        _traceId = null;
        Step = null;
    }

    public StepState BeginStep(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (Step is { } running)
        {
            throw new ScenarioDefinitionException($"Scenario '{ScenarioName}': step '{name}' started while step '{running.Name}' was still running in the same iteration; steps of one iteration run one after another: await each Step.Run before the next.");
        }

        var step = Run.Steps.Get(name);
        var seen = step.Index < 64 ? (_stepMask & (1UL << step.Index)) != 0 : !(_moreSteps ??= []).Add(step.Index);
        if (seen)
        {
            throw new ScenarioDefinitionException($"Scenario '{ScenarioName}': step name '{name}' is used twice in one iteration; give each Step.Run its own name (e.g. '{name} 2'), or repeat the work inside one step.");
        }

        if (step.Index < 64)
        {
            _stepMask |= 1UL << step.Index;
        }

        var now = Run.Now();
        StepRecord = RequestRecord.Create(Record.Sequence, now, Record.Warmup);
        StepRecord.SentTicks = now;
        StepRecord.TraceHigh = Record.TraceHigh;
        StepRecord.TraceLow = Record.TraceLow;
        StepBodyClass = null;
        Step = step;
        return step;
    }

    public void EndStep(StepState step, RequestOutcome outcome, int status)
    {
        ref var record = ref StepRecord;
        record.EndTicks = Run.Now();
        if (record.FirstByteTicks == 0)
        {
            record.FirstByteTicks = record.EndTicks;
        }

        record.Outcome = outcome;
        if (status != 0)
        {
            record.Status = status;
        }

        record.Class = outcome == RequestOutcome.Ok ? StepBodyClass ?? ServerTiming.Classify(record) : RequestClass.Error;

        // The iteration is cold when any of its steps was; its phases are the sum of its steps'.
        Record.MergeStep(record);
        step.Records.Add(record);
        Step = null;
    }

    /// <summary>Cancels the iteration now (the run stopped).</summary>
    public void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Replaced by the next iteration's source, which sees the run stopped.
        }
    }

    /// <summary>Called by <see cref="Http"/> when response headers arrive.</summary>
    public void OnResponse(HttpResponseMessage response)
    {
        OnResponseHead((int)response.StatusCode);
        if (response.Headers.NonValidated.TryGetValues("Server-Timing", out var timings))
        {
            foreach (var value in timings)
            {
                ServerTiming.Apply(value, ref Active);
            }
        }
    }

    /// <summary>Called when a response's status line arrives (first byte, status).</summary>
    public void OnResponseHead(int status)
    {
        ref var record = ref Active;
        record.FirstByteTicks = Run.Now();
        record.Status = status;
    }

    /// <summary>Called with one <c>Server-Timing</c> header line of the response.</summary>
    public void OnServerTiming(ReadOnlySpan<char> value) => ServerTiming.Apply(value, ref Active);

    /// <summary>The trace id the running step (or the iteration) sends in <c>traceparent</c>.</summary>
    public (ulong High, ulong Low) ActiveTrace
    {
        get
        {
            ref var record = ref Active;
            return (record.TraceHigh, record.TraceLow);
        }
    }

    /// <summary>Called by <see cref="Http"/> with what a body said.</summary>
    public void OnBody(in BodyReading reading)
    {
        ref var record = ref Active;
        record.Tokens += reading.Tokens;
        if (reading.FirstTokenTimestamp != 0 && record.FirstTokenTicks == 0)
        {
            record.FirstTokenTicks = reading.FirstTokenTimestamp - Run.Start;
        }

        if (reading.Class is { } named)
        {
            if (Step is null)
            {
                BodyClass = named;
            }
            else
            {
                StepBodyClass = named;
            }
        }
    }

    /// <summary>A context outside any run (benchmarks of the step path).</summary>
    internal static IterationContext Detached(string scenario = "detached") =>
        new(new RunState(scenario, null, new HttpMessageInvoker(new SocketsHttpHandler()), TimeProvider.System, CancellationToken.None));
}
