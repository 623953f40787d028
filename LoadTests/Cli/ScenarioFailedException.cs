namespace BenchPlatform.LoadTests.Cli;

/// <summary>The target refused or failed a call a scenario needs (exit code 1).</summary>
public sealed class ScenarioFailedException(string message) : Exception(message);
