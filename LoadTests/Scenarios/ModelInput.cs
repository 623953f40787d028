namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>One model input as the model's metadata describes it (<c>-1</c> for a dynamic dimension).</summary>
public sealed record ModelInput(string Name, string Datatype, long[] Shape);
