using BenchPlatform.TestCommon;

namespace BenchPlatform.InferenceWorker.Tests.Hosting;

/// <summary>Tests that share one real PostgreSQL and one real Redis (each test host gets its own database).</summary>
[CollectionDefinition(Name)]
public sealed class InferenceCollection : ICollectionFixture<PostgresFixture>, ICollectionFixture<RedisFixture>
{
    public const string Name = "inference";
}
