namespace BenchPlatform.LoadTests;

/// <summary>
/// A scenario as <see cref="Scenario.Create"/> made it, with its settings; every <c>With…</c> returns a changed copy.
/// Without <see cref="WithLoadSimulations"/> it runs one copy once (<c>IterationsForConstant(1, 1)</c>).
/// </summary>
public sealed record ScenarioProps
{
    internal ScenarioProps(string name, Func<IScenarioContext, ValueTask<Response>> run)
    {
        Name = name;
        Invoke = run;
    }

    /// <summary>The scenario's name (unique in a run; reports and thresholds use it).</summary>
    public string Name { get; private init; }

    /// <summary>One iteration.</summary>
    internal Func<IScenarioContext, ValueTask<Response>> Invoke { get; private init; }

    /// <summary>Runs once before the load starts (upload a model, fill a cache); a failure stops this scenario.</summary>
    public Func<ScenarioInitContext, Task>? Init { get; private init; }

    /// <summary>Runs once after the load, even when it failed (delete what <see cref="Init"/> made).</summary>
    public Func<ScenarioInitContext, Task>? Clean { get; private init; }

    /// <summary>How long the start of the load simulations is played before the measured run; its iterations are sent and left out.</summary>
    public TimeSpan WarmUpDuration { get; private init; }

    /// <summary>The load, phase after phase.</summary>
    public IReadOnlyList<LoadSimulation> LoadSimulations { get; private init; } = [Simulation.IterationsForConstant(1, 1)];

    /// <summary>Thresholds on this scenario's stats; one that fails fails the run.</summary>
    public IReadOnlyList<Threshold> Thresholds { get; private init; } = [];

    /// <summary>Open model: the most iterations in flight at once (like wrk's connections); 0 takes the runner's connections.</summary>
    public int MaxInFlight { get; private init; }

    /// <summary>Open model: an iteration started later than this after its intended start counts as late.</summary>
    public TimeSpan LateAfter { get; private init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Runs <paramref name="init"/> once before the load.</summary>
    public ScenarioProps WithInit(Func<ScenarioInitContext, Task> init) => this with { Init = init ?? throw new ArgumentNullException(nameof(init)) };

    /// <summary>Runs <paramref name="clean"/> once after the load.</summary>
    public ScenarioProps WithClean(Func<ScenarioInitContext, Task> clean) => this with { Clean = clean ?? throw new ArgumentNullException(nameof(clean)) };

    /// <summary>Plays the start of the load simulations for <paramref name="duration"/> first, its iterations left out of every figure.</summary>
    public ScenarioProps WithWarmUpDuration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, $"Scenario '{Name}': the warm-up duration must be zero or more (got {duration}); use WithoutWarmUp() for none.");
        }

        return this with { WarmUpDuration = duration };
    }

    /// <summary>No warm-up (the default).</summary>
    public ScenarioProps WithoutWarmUp() => this with { WarmUpDuration = TimeSpan.Zero };

    /// <summary>The load, run one phase after another: <c>Inject</c>, <c>RampingInject</c>, <c>KeepConstant</c>, <c>IterationsForConstant</c>.</summary>
    public ScenarioProps WithLoadSimulations(params LoadSimulation[] simulations)
    {
        ArgumentNullException.ThrowIfNull(simulations);
        if (simulations.Length == 0)
        {
            throw new ArgumentException($"Scenario '{Name}': WithLoadSimulations needs at least one simulation, e.g. Simulation.Inject(rate: 50, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(30)).", nameof(simulations));
        }

        return this with { LoadSimulations = [.. simulations] };
    }

    /// <summary>Adds thresholds checked after the run.</summary>
    public ScenarioProps WithThresholds(params Threshold[] thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        return this with { Thresholds = [.. Thresholds, .. thresholds] };
    }

    /// <summary>Open model: at most <paramref name="maxInFlight"/> iterations outstanding; one that finds none free starts late.</summary>
    public ScenarioProps WithMaxInFlight(int maxInFlight)
    {
        if (maxInFlight <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxInFlight), maxInFlight, $"Scenario '{Name}': WithMaxInFlight needs a positive number of iterations in flight (got {maxInFlight}).");
        }

        return this with { MaxInFlight = maxInFlight };
    }

    /// <summary>Open model: an iteration started later than <paramref name="lateAfter"/> after its intended start counts as late.</summary>
    public ScenarioProps WithLateAfter(TimeSpan lateAfter) => this with { LateAfter = lateAfter };
}
