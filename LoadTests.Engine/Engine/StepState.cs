namespace BenchPlatform.LoadTests.Engine;

/// <summary>One step of a scenario in a run: its name, its number, its records.</summary>
internal sealed class StepState(string name, int index)
{
    public string Name { get; } = name;

    public int Index { get; } = index;

    public RecordBuffer Records { get; } = new();
}
