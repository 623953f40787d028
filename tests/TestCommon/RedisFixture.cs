using BenchPlatform.AppHost.Hosting.Servers;

namespace BenchPlatform.TestCommon;

/// <summary>A real Redis server on a free loopback port, shared by a test collection.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    /// <summary>The running server.</summary>
    public LocalRedis Server { get; private set; } = null!;

    /// <summary>StackExchange.Redis connection string.</summary>
    public string ConnectionString => Server.ConnectionString;

    /// <inheritdoc />
    public async Task InitializeAsync() =>
        Server = await LocalRedis.StartRedisServerAsync(FreePort.Next(), Guid.NewGuid().ToString("N"));

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
