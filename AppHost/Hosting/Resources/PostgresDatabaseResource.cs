namespace BenchPlatform.AppHost.Hosting.Resources;

/// <summary>A database the AppHost creates on a <see cref="PostgresServerResource"/>.</summary>
public sealed class PostgresDatabaseResource(string name, PostgresServerResource server, string databaseName)
    : LocalResource(name), IConnectionSource
{
    /// <summary>The server that holds it.</summary>
    public PostgresServerResource Server { get; } = server;

    /// <summary>The database name in PostgreSQL.</summary>
    public string DatabaseName { get; } = databaseName;

    /// <inheritdoc />
    public string ConnectionName => Name;

    /// <inheritdoc />
    public string ConnectionString => Server.ConnectionStringFor(DatabaseName);
}
