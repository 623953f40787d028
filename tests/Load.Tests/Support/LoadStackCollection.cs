using BenchPlatform.TestCommon;

namespace BenchPlatform.Load.Tests.Support;

/// <summary>One stack for every load scenario, run one at a time: the machine has two cores and the figures must not mix.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadStackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "load-stack";
}
