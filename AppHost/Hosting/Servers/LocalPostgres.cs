using System.Diagnostics;
using Npgsql;

namespace BenchPlatform.AppHost.Hosting.Servers;

/// <summary>
/// A real PostgreSQL server: <c>initdb</c> once into a data folder, then <c>postgres</c> on a loopback port.
/// PostgreSQL refuses to run as root, so under root both run as the unprivileged <c>postgres</c> user.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    /// <summary>The superuser name.</summary>
    public const string User = "postgres";

    private readonly ServerProcess _server;
    private readonly string _password;

    private LocalPostgres(ServerProcess server, int port, string password, string dataDirectory)
    {
        _server = server;
        Port = port;
        _password = password;
        DataDirectory = dataDirectory;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>The server process.</summary>
    public ServerProcess Process => _server;

    /// <summary>An Npgsql connection string for <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = User,
            Password = _password,
            Database = database,
        }.ConnectionString;

    /// <summary>
    /// Finds the folder that holds both <c>initdb</c> and <c>postgres</c>: PATH first, then <paramref name="searchFolders"/>
    /// (default <c>/usr/lib/postgresql/*/bin</c>), or says what to install.
    /// </summary>
    public static string FindBinFolder(IReadOnlyCollection<string>? searchFolders = null)
    {
        var folders = searchFolders is { Count: > 0 } ? searchFolders : ExecutableLocator.PostgresFolders().ToList();
        var initdb = ExecutableLocator.Find("initdb", folders);
        var bin = initdb is null ? null : Path.GetDirectoryName(initdb)!;
        if (bin is null || !File.Exists(Path.Combine(bin, "postgres")))
        {
            throw new MissingDependencyException(
                "PostgreSQL server binaries (initdb and postgres) were not found on PATH or in " +
                $"{string.Join(", ", folders.DefaultIfEmpty("/usr/lib/postgresql/*/bin"))}. " +
                "Install the PostgreSQL server, e.g. 'apt-get install postgresql' on Debian/Ubuntu or 'brew install postgresql' on macOS, " +
                "or name its bin folder in AppHost:PostgresSearchFolders.");
        }

        return bin;
    }

    /// <summary>
    /// Initializes <paramref name="dataDirectory"/> when it holds no cluster yet, starts the server and
    /// waits until it accepts connections. <paramref name="durable"/> false turns fsync off (tests).
    /// </summary>
    public static async Task<LocalPostgres> StartAsync(
        string dataDirectory, int port, string password, bool durable = true,
        Action<string>? onLine = null, TimeSpan? timeout = null, string? binFolder = null, CancellationToken cancellationToken = default)
    {
        var bin = binFolder ?? FindBinFolder();
        var asPostgresUser = Environment.IsPrivilegedProcess;
        dataDirectory = Path.GetFullPath(dataDirectory);

        if (asPostgresUser)
        {
            EnsureReachableByPostgresUser(Path.GetDirectoryName(dataDirectory)!);
        }

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await InitAsync(bin, dataDirectory, password, durable, asPostgresUser, onLine, cancellationToken);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = Command(Path.Combine(bin, "postgres"), asPostgresUser,
            "-D", dataDirectory, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", dataDirectory, "-c", "listen_addresses=127.0.0.1", "-c", $"fsync={(durable ? "on" : "off")}");
        // SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for every client to disconnect.
        var server = ServerProcess.Start("postgres", start, line =>
        {
            onLine?.Invoke(line);
            if (line.Contains("ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }, ProcessSignals.SigInt);

        var exited = server.WaitForExitAsync(cancellationToken);
        var limit = Task.Delay(timeout ?? TimeSpan.FromSeconds(30), cancellationToken);
        var first = await Task.WhenAny(ready.Task, exited, limit);
        if (first != ready.Task)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException(first == exited
                ? $"postgres exited before accepting connections on port {port}; see its log above."
                : $"postgres did not accept connections on port {port} in time.");
        }

        return new LocalPostgres(server, port, password, dataDirectory);
    }

    /// <summary>Creates <paramref name="database"/> when it does not exist yet.</summary>
    public async Task EnsureDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        // No pooling: an idle pooled connection would outlive the call and hold the server open at stop.
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString()) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.AddWithValue(database);
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }

        var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task InitAsync(
        string bin, string dataDirectory, string password, bool durable, bool asPostgresUser,
        Action<string>? onLine, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDirectory);
        var passwordFile = Path.Combine(Path.GetDirectoryName(dataDirectory)!, $".pgpass-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
        try
        {
            if (asPostgresUser)
            {
                await RunAsync(new ProcessStartInfo("chown", ["-R", $"{User}:{User}", dataDirectory, passwordFile]), onLine, cancellationToken);
            }

            List<string> args = ["-D", dataDirectory, "-U", User, $"--pwfile={passwordFile}", "--auth=scram-sha-256", "-E", "UTF8", "--locale=C"];
            if (!durable)
            {
                args.Add("--no-sync");
            }

            await RunAsync(Command(Path.Combine(bin, "initdb"), asPostgresUser, [.. args]), onLine, cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>
    /// The server runs as the <c>postgres</c> user, which must be able to pass through every folder above its data:
    /// the folder that holds the data gets search permission for others; a folder above it that lacks it is reported.
    /// </summary>
    private static void EnsureReachableByPostgresUser(string folder)
    {
        Directory.CreateDirectory(folder);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(folder, File.GetUnixFileMode(folder) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
        for (var dir = Directory.GetParent(folder); dir is not null; dir = dir.Parent)
        {
            if ((File.GetUnixFileMode(dir.FullName) & UnixFileMode.OtherExecute) == 0)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL runs as the '{User}' user, which cannot enter {dir.FullName} (no search permission for others). " +
                    $"Run 'chmod o+x {dir.FullName}' or choose a state folder it can reach (AppHost:StateFolder).");
            }
        }
    }

    private static ProcessStartInfo Command(string executable, bool asPostgresUser, params string[] args)
    {
        if (!asPostgresUser)
        {
            return new ProcessStartInfo(executable, args);
        }

        // setpriv switches to the postgres user without a login shell or PAM session.
        return new ProcessStartInfo("setpriv", ["--reuid", User, "--regid", User, "--init-groups", "--", executable, .. args]);
    }

    private static async Task RunAsync(ProcessStartInfo startInfo, Action<string>? onLine, CancellationToken cancellationToken)
    {
        var output = new List<string>();
        await using var process = ServerProcess.Start(startInfo.FileName, startInfo, line =>
        {
            lock (output)
            {
                output.Add(line);
            }

            onLine?.Invoke(line);
        });
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(startInfo.FileName)} {string.Join(' ', startInfo.ArgumentList)} failed with exit code {process.ExitCode}:\n{string.Join('\n', output)}");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _server.DisposeAsync();
}
