namespace BenchPlatform.LoadTests;

/// <summary>One phase of a scenario's load; made by <see cref="Simulation"/>.</summary>
public sealed record LoadSimulation
{
    internal LoadSimulation(LoadSimulationKind kind, double ratePerSecond, int copies, TimeSpan during, long iterations, string text)
    {
        Kind = kind;
        RatePerSecond = ratePerSecond;
        Copies = copies;
        During = during;
        Iterations = iterations;
        Text = text;
    }

    /// <summary>Which simulation this is.</summary>
    public LoadSimulationKind Kind { get; }

    /// <summary>Open model: iterations per second (at the end of a ramp).</summary>
    public double RatePerSecond { get; }

    /// <summary>Closed model: concurrent copies, each starting its next iteration when the last one ends.</summary>
    public int Copies { get; }

    /// <summary>How long the phase lasts (zero for <see cref="LoadSimulationKind.IterationsForConstant"/>).</summary>
    public TimeSpan During { get; }

    /// <summary>Iterations in all, for <see cref="LoadSimulationKind.IterationsForConstant"/>.</summary>
    public long Iterations { get; }

    /// <summary>Whether this is an open-model phase (iterations start on a schedule).</summary>
    public bool IsOpen => Kind is LoadSimulationKind.Inject or LoadSimulationKind.RampingInject;

    internal double? RampFrom { get; init; }

    internal bool OncePerCopy { get; init; }

    internal string Text { get; }

    /// <inheritdoc />
    public override string ToString() => Text;
}
