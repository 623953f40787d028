using System.Globalization;

namespace BenchPlatform.AppHost.Hosting.Resources;

/// <summary>A Redis-protocol server: <c>redis-server</c> when installed, else Garnet.</summary>
public sealed class RedisResource(string name) : LocalResource(name), IConnectionSource
{
    /// <summary>The loopback port, once allocated.</summary>
    public int Port { get; internal set; }

    /// <summary>The per-run password, once generated.</summary>
    internal string Password { get; set; } = string.Empty;

    /// <inheritdoc />
    public string ConnectionName => Name;

    /// <inheritdoc />
    public string ConnectionString =>
        $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)},password={Password},abortConnect=false";
}
