namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>The inference replicas as <c>GET /v1/scale</c> reports them.</summary>
public readonly record struct ScaleState(int Ready, int Desired, int Min, int Max, int InFlight);
