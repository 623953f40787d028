namespace BenchPlatform.LoadTests.Engine;

/// <summary>What one scenario's run recorded: its iterations, each step's records, failure messages and a definition error.</summary>
internal sealed class ScenarioRun
{
    public required RunRecords Records { get; init; }

    public required List<(string Step, RunRecords Records)> Steps { get; init; }

    public required List<KeyValuePair<string, long>> Failures { get; init; }

    public ScenarioDefinitionException? DefinitionError { get; init; }
}
