using System.Diagnostics;
using System.Globalization;

namespace BenchPlatform.AppHost.Hosting.Servers;

/// <summary>
/// A real Redis-protocol server on a loopback port, without persistence: <c>redis-server</c> when installed,
/// else Garnet (the GarnetServer project). Ready once it answers PING.
/// </summary>
public sealed class LocalRedis : IAsyncDisposable
{
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

    /// <summary>Starts <c>redis-server</c> when it is on PATH, else Garnet (the GarnetServer project, built with the AppHost).</summary>
    public static Task<LocalRedis> StartAsync(
        int port, string password, Action<string>? onLine = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ExecutableLocator.Find("redis-server") is not null
            ? StartRedisServerAsync(port, password, onLine, timeout, cancellationToken)
            : StartGarnetAsync(port, password, onLine, timeout, cancellationToken);

    /// <summary>Throws, naming the fix, when neither <c>redis-server</c> nor the built GarnetServer can be run.</summary>
    public static void EnsureAvailable()
    {
        if (ExecutableLocator.Find("redis-server") is null && !File.Exists(GarnetDll))
        {
            throw GarnetNotBuilt();
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

    /// <summary>The GarnetServer program the AppHost's build produced.</summary>
    public static string GarnetDll { get; } = new Projects.GarnetServer().AssemblyPath;

    /// <summary>Starts Garnet (the GarnetServer program) on <paramref name="port"/> and waits until it answers PING.</summary>
    public static async Task<LocalRedis> StartGarnetAsync(
        int port, string password, Action<string>? onLine = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(GarnetDll))
        {
            throw GarnetNotBuilt();
        }

        var start = new ProcessStartInfo(DotNetHost.Path,
        [
            GarnetDll,
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--auth", "Password", "--password", password,
            "--memory", "512m", "--index", "16m",
        ]);
        start.Environment["DOTNET_NOLOGO"] = "1";
        return await StartAndPingAsync("garnet", start, port, password, onLine, timeout ?? TimeSpan.FromSeconds(30), cancellationToken);
    }

    private static MissingDependencyException GarnetNotBuilt() => new(
        $"No Redis-protocol server: redis-server is not on PATH and Garnet was not built ({Path.GetFileName(GarnetDll)} is missing). " +
        "Build the AppHost ('dotnet build AppHost') or install Redis ('apt-get install redis-server').");

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
