namespace BenchPlatform.LoadTests;

/// <summary>
/// A mistake in how a scenario is written (a step name used twice in one iteration, steps started inside each other):
/// it stops the run, and its message names the fix.
/// </summary>
public sealed class ScenarioDefinitionException(string message) : InvalidOperationException(message);
