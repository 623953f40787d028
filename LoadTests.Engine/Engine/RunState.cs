using System.Collections.Concurrent;

namespace BenchPlatform.LoadTests.Engine;

/// <summary>One scenario's run in progress: its clock, records, steps, counters and pooled iteration contexts.</summary>
internal sealed class RunState
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentBag<IterationContext> _contexts = [];
    private readonly ConcurrentBag<IterationContext> _created = [];
    private readonly TimeProvider _time;
    private long _outstanding = 1;
    private ScenarioDefinitionException? _definitionError;

    public RunState(string scenarioName, Uri? target, HttpMessageInvoker client, TimeProvider time, CancellationToken cancellationToken)
    {
        ScenarioName = scenarioName;
        Target = target;
        Client = client;
        _time = time;
        Start = time.GetTimestamp();
        StartedAt = time.GetUtcNow();
        Stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Stop.Token.Register(static state =>
        {
            foreach (var context in ((RunState)state!)._created)
            {
                context.Cancel();
            }
        }, this);
    }

    public string ScenarioName { get; }

    public Uri? Target { get; }

    public HttpMessageInvoker Client { get; }

    public long Start { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>Cancelled when the caller cancels or a scenario definition error stops the run.</summary>
    public CancellationTokenSource Stop { get; }

    public CancellationToken CancellationToken => Stop.Token;

    public RecordBuffer Records { get; } = new();

    public StepRegistry Steps { get; } = new();

    public FailureCounter Failures { get; } = new();

    public LiveCounters Counters { get; } = new();

    public SemaphoreSlim? Slots { get; set; }

    /// <summary>How far past its intended start a measured open-model iteration may start before it counts as late.</summary>
    public long LateAfterTicks { get; set; }

    /// <summary>Measured open-model iterations that started late so far.</summary>
    public long Late => Counters.Late;

    public ScenarioDefinitionException? DefinitionError => Volatile.Read(ref _definitionError);

    /// <summary>Ticks since the run started.</summary>
    public long Now() => _time.GetTimestamp() - Start;

    public IterationContext RentContext()
    {
        if (_contexts.TryTake(out var context))
        {
            return context;
        }

        context = new IterationContext(this);
        _created.Add(context);
        return context;
    }

    public void ReturnContext(IterationContext context) => _contexts.Add(context);

    public void Fail(ScenarioDefinitionException error)
    {
        if (Interlocked.CompareExchange(ref _definitionError, error, null) is null)
        {
            Stop.Cancel();
        }
    }

    public void OnLate() => Counters.OnLate();

    public void Enter() => Interlocked.Increment(ref _outstanding);

    public void Leave()
    {
        if (Interlocked.Decrement(ref _outstanding) == 0)
        {
            _drained.TrySetResult();
        }
    }

    public Task WhenDrainedAsync() => _drained.Task;
}
