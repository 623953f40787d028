namespace BenchPlatform.LoadTests;

/// <summary>The kinds of load phase, as NBomber names them.</summary>
public enum LoadSimulationKind
{
    /// <summary>Open model at a constant rate.</summary>
    Inject,

    /// <summary>Open model, the rate moving linearly from the previous phase's rate to this one's.</summary>
    RampingInject,

    /// <summary>Closed model: a fixed number of copies for a duration.</summary>
    KeepConstant,

    /// <summary>Closed model: a fixed number of copies until a number of iterations is done.</summary>
    IterationsForConstant,
}
