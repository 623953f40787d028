using System.Diagnostics;
using System.Globalization;

namespace BenchPlatform.AppHost.Hosting.Servers;

/// <summary>
/// A real Redis-protocol server on a loopback port, without persistence: <c>redis-server</c> when installed.
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

    /// <summary>Starts <c>redis-server</c> on <paramref name="port"/> and waits until it accepts connections.</summary>
    public static async Task<LocalRedis> StartRedisServerAsync(
        int port, string password, Action<string>? onLine = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var executable = ExecutableLocator.Find("redis-server")
            ?? throw new MissingDependencyException("redis-server was not found on PATH.");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo(executable,
        [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--requirepass", password,
            "--save", "", "--appendonly", "no", "--protected-mode", "yes",
        ]);
        var server = ServerProcess.Start("redis-server", start, line =>
        {
            onLine?.Invoke(line);
            if (line.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        });

        var exited = server.WaitForExitAsync(cancellationToken);
        var limit = Task.Delay(timeout ?? TimeSpan.FromSeconds(15), cancellationToken);
        var first = await Task.WhenAny(ready.Task, exited, limit);
        if (first != ready.Task)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException(first == exited
                ? $"redis-server exited before accepting connections on port {port}."
                : $"redis-server did not accept connections on port {port} in time.");
        }

        return new LocalRedis(server, port, password, "redis-server");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _server.DisposeAsync();
}
