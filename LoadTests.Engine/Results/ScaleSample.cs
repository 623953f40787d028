namespace BenchPlatform.LoadTests.Results;

/// <summary>The inference replicas <c>GET /v1/scale</c> reported at a second of the run.</summary>
public readonly record struct ScaleSample(double Seconds, int Ready, int Desired, int InFlight);
