using BenchPlatform.TestCommon;
using Npgsql;
using StackExchange.Redis;

namespace BenchPlatform.AppHost.Tests.Hosting.Servers;

public sealed class LocalServersTests(PostgresFixture postgres, RedisFixture redis)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>
{
    [Fact]
    public async Task Postgres_CreatedDatabase_AcceptsQueries()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_database()", connection);

        var database = (string?)await command.ExecuteScalarAsync();

        Assert.StartsWith("test_", database, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redis_WithPassword_StoresAndReturnsValues()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();

        await db.StringSetAsync("k", "v");

        Assert.Equal("v", (string?)await db.StringGetAsync("k"));
    }
}
