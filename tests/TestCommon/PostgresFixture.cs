using BenchPlatform.AppHost.Hosting.Servers;

namespace BenchPlatform.TestCommon;

/// <summary>
/// A throwaway real PostgreSQL (initdb into a temp folder) shared by a test collection;
/// each test that needs isolation asks for a fresh database.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"benchplatform-pg-{Guid.NewGuid():N}");
    private int _databases;

    /// <summary>The running server.</summary>
    public LocalPostgres Server { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        Server = await LocalPostgres.StartAsync(
            Path.Combine(_root, "data"), FreePort.Next(), Guid.NewGuid().ToString("N"), durable: false);
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}";
        await Server.EnsureDatabaseAsync(name);
        return Server.ConnectionString(name);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }
}
