using BenchPlatform.TestCommon;

namespace BenchPlatform.Gateway.Tests.Infrastructure;

/// <summary>A real PostgreSQL and a real Redis for the health tests.</summary>
public sealed class StoresFixture : IAsyncLifetime
{
    public PostgresFixture Postgres { get; } = new();

    public RedisFixture Redis { get; } = new();

    public string DatabaseConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Postgres.InitializeAsync(), Redis.InitializeAsync());
        DatabaseConnectionString = await Postgres.CreateDatabaseAsync("gateway");
    }

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class StoresCollection : ICollectionFixture<StoresFixture>
{
    public const string Name = "stores";
}
