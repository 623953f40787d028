using Npgsql;

namespace BenchPlatform.AppHost.Hosting.Resources;

/// <summary>A PostgreSQL server whose data folder lives under the state folder.</summary>
public sealed class PostgresServerResource(string name) : LocalResource(name)
{
    /// <summary>The databases created on it.</summary>
    public List<PostgresDatabaseResource> Databases { get; } = [];

    /// <summary>The loopback port, once allocated.</summary>
    public int Port { get; internal set; }

    /// <summary>The superuser password, kept per state folder.</summary>
    internal string Password { get; set; } = string.Empty;

    /// <summary>An Npgsql connection string for <paramref name="database"/>.</summary>
    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = Servers.LocalPostgres.User,
            Password = Password,
            Database = database,
        }.ConnectionString;
}
