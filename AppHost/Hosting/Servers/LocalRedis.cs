using System.Diagnostics;
using System.Globalization;

namespace BenchPlatform.AppHost.Hosting.Servers;

/// <summary>
/// A real Redis-protocol server on a loopback port, without persistence: <c>redis-server</c> when installed,
/// else Garnet run as the repository's local dotnet tool. Ready once it answers PING.
/// </summary>
public sealed class LocalRedis : IAsyncDisposable
{
    /// <summary>The local tool manifest that names Garnet.</summary>
    public const string ToolManifest = ".config/dotnet-tools.json";

    private readonly ServerProcess _server;

    private LocalRedis(ServerProcess server, int port, string password, string kind)
    {
        _server = server;
        Port = port;
        Password = password;
        Kind = kind;
    }

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary>The password clients authenticate with.</summary>
    public string Password { get; }

    /// <summary>Which server runs: "redis-server" or "garnet".</summary>
    public string Kind { get; }

    /// <summary>The server process.</summary>
    public ServerProcess Process => _server;

    /// <summary>A StackExchange.Redis connection string.</summary>
    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)},password={Password},abortConnect=false";

    /// <summary>
    /// Starts <c>redis-server</c> when it is on PATH, else Garnet from the tool manifest found above
    /// <paramref name="searchFrom"/>; says what to install when neither is there.
    /// </summary>
    public static Task<LocalRedis> StartAsync(
        int port, string password, string searchFrom, Action<string>? onLine = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (ExecutableLocator.Find("redis-server") is not null)
        {
            return StartRedisServerAsync(port, password, onLine, timeout, cancellationToken);
        }

        var toolFolder = FindGarnetToolFolder(searchFrom) ?? throw NotInstalled();
        return StartGarnetAsync(toolFolder, port, password, onLine, timeout, cancellationToken);
    }

    /// <summary>Throws when neither <c>redis-server</c> nor the Garnet tool manifest can be found.</summary>
    public static void EnsureAvailable(string searchFrom)
    {
        if (ExecutableLocator.Find("redis-server") is null && FindGarnetToolFolder(searchFrom) is null)
        {
            throw NotInstalled();
        }
    }

    /// <summary>Starts <c>redis-server</c> on <paramref name="port"/> and waits until it answers PING.</summary>
    public static async Task<LocalRedis> StartRedisServerAsync(
        int port, string password, Action<string>? onLine = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var executable = ExecutableLocator.Find("redis-server")
            ?? throw new MissingDependencyException("redis-server was not found on PATH.");
        var start = new ProcessStartInfo(executable,
        [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--requirepass", password,
            "--save", "", "--appendonly", "no", "--protected-mode", "yes",
        ]);
        return await StartAndPingAsync("redis-server", start, port, password, onLine, timeout ?? TimeSpan.FromSeconds(15), cancellationToken);
    }

    /// <summary>
    /// Starts Garnet with <c>dotnet tool run garnet-server</c> in <paramref name="toolFolder"/> (which holds
    /// <c>.config/dotnet-tools.json</c>, restored by <c>dotnet tool restore</c>) and waits until it answers PING.
    /// </summary>
    public static async Task<LocalRedis> StartGarnetAsync(
        string toolFolder, int port, string password, Action<string>? onLine = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(DotNetHost.Path,
        [
            "tool", "run", "garnet-server", "--",
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--auth", "Password", "--password", password,
            "--memory", "512m", "--index", "16m",
        ])
        {
            WorkingDirectory = toolFolder,
        };
        start.Environment["DOTNET_NOLOGO"] = "1";
        return await StartAndPingAsync("garnet", start, port, password, onLine, timeout ?? TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>The folder at or above <paramref name="start"/> whose tool manifest names garnet-server, or null.</summary>
    public static string? FindGarnetToolFolder(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var manifest = Path.Combine(dir.FullName, ToolManifest);
            if (File.Exists(manifest) && File.ReadAllText(manifest).Contains("\"garnet-server\"", StringComparison.Ordinal))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static MissingDependencyException NotInstalled() => new(
        "No Redis-protocol server: redis-server is not on PATH and no .config/dotnet-tools.json naming garnet-server was found. " +
        "Install Redis ('apt-get install redis-server') or run 'dotnet tool restore' in the repository.");

    private static async Task<LocalRedis> StartAndPingAsync(
        string kind, ProcessStartInfo start, int port, string password, Action<string>? onLine, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var server = ServerProcess.Start(kind, start, onLine);
        var deadline = DateTime.UtcNow + timeout;
        while (!await RedisPing.PingAsync(port, password, cancellationToken))
        {
            if (server.HasExited || DateTime.UtcNow > deadline)
            {
                var exited = server.HasExited;
                await server.DisposeAsync();
                throw new InvalidOperationException(exited
                    ? $"{kind} exited before answering PING on port {port}; see its log."
                    : $"{kind} did not answer PING on port {port} within {timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), cancellationToken);
        }

        return new LocalRedis(server, port, password, kind);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _server.DisposeAsync();
}
