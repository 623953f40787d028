namespace BenchPlatform.EndToEnd.Tests;

/// <summary>Whole-stack tests run one at a time: each starts its own AppHost, and the machine has two cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StackCollection
{
    public const string Name = "stack";
}
