using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <content>Start-up: ports and passwords, the run file, then every resource once what it waits for is ready, then the autoscaler.</content>
public sealed partial class Orchestrator
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_stopping)
        {
            if (_secrets is not null || _stop is not null)
            {
                // Started already (from Aspire's BeforeStartEvent), or stopped before it could start.
                return Task.CompletedTask;
            }

            // Ctrl+C and SIGTERM stop the stack from the first process on: Aspire's host listens for them only once it has
            // started, after DCP and the dashboard, and until then the runtime would end the process and orphan ours.
            _signals = [PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal), PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal)];
            Directory.CreateDirectory(StateFolder);
            var postgresPasswordExisted = File.Exists(Path.Combine(StateFolder, "secrets", "postgres-password"));
            _secrets = RunSecrets.Load(StateFolder);
            _servers = new BackingServers(StateFolder, Options, CreateLog, postgresPasswordExisted);
        }

        if (!OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess)
        {
            // PostgreSQL runs as its own user and must pass through the state folder to its data folder.
            File.SetUnixFileMode(StateFolder, File.GetUnixFileMode(StateFolder) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
        }

        if (!OperatingSystem.IsWindows())
        {
            // Only the AppHost's user may reach the replicas' sockets: the folder is 0700 whoever made it first.
            Directory.CreateDirectory(SocketFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(SocketFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Ports and passwords first, so every connection string is known before anything starts.
        foreach (var redis in _topology.Resources.OfType<RedisResource>())
        {
            redis.Port = Ports.Allocate(redis, 0);
            redis.Password = _secrets.RedisPassword;
        }

        foreach (var postgres in _topology.Resources.OfType<PostgresServerResource>())
        {
            postgres.Port = Ports.Allocate(postgres, 0);
            postgres.Password = _secrets.PostgresPassword;
        }

        WriteRunFile();
        foreach (var publisher in _publishers)
        {
            _ = publisher.RunAsync(_stopping.Token);
        }

        _run = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task RunAsync()
    {
        try
        {
            await Task.WhenAll(_topology.Resources.Select(StartResourceAsync));
            foreach (var runner in _runners.Values.Where(r => r.Resource.HttpPort is not null || Options.Ports.ContainsKey(r.Resource.Name)))
            {
                LogEntryPoint(_logger, runner.Resource.Name, runner.Replicas[0].Address.TrimEnd('/'));
            }

            LogStackReady(_logger, (Time.GetUtcNow() - AppHostStarted).TotalSeconds, DashboardUrl);
            if (Autoscaler.HasWork)
            {
                await Autoscaler.RunAsync(_stopping.Token);
            }
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            // Stopped (Ctrl+C, SIGTERM) while starting: whatever was half-started is stopped next.
        }
        catch (Exception ex)
        {
            LogStartFailed(_logger, ex.Message);
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
        }
    }

    private async Task StartResourceAsync(LocalResource resource)
    {
        try
        {
            await StartResourceCoreAsync(resource);
        }
        catch (Exception ex)
        {
            // What waits for this resource fails with the same error instead of waiting forever.
            _ready[resource].TrySetException(ex);
            _reporter.Failed(resource, ex.Message);
            throw;
        }
    }

    private async Task StartResourceCoreAsync(LocalResource resource)
    {
        var token = _stopping.Token;
        await Task.WhenAll(resource.WaitsFor.Select(d => _ready[d].Task)).WaitAsync(token);
        _reporter.Starting(resource);
        var started = Time.GetTimestamp();
        string detail;
        switch (resource)
        {
            case PostgresServerResource postgres:
                detail = await _servers!.StartPostgresAsync(postgres, token);
                break;
            case PostgresDatabaseResource database:
                await _ready[database.Server].Task.WaitAsync(token);
                detail = await _servers!.EnsureDatabaseAsync(database, token);
                break;
            case RedisResource redis:
                detail = await _servers!.StartRedisAsync(redis, token);
                break;
            case LocalProjectResource project:
                var runner = _runners[project];
                await runner.StartAsync(token);
                detail = runner.Replicas.Count == 1
                    ? runner.Replicas[0].Address.TrimEnd('/')
                    : $"{runner.Replicas.Count} replicas";
                break;
            default:
                throw new InvalidOperationException($"No way to run {resource.GetType().Name} '{resource.Name}'.");
        }

        _ready[resource].TrySetResult();
        _reporter.Running(resource, detail, detail.StartsWith("http", StringComparison.Ordinal) ? detail : null);
        LogResourceReady(_logger, resource.Name, detail, Time.GetElapsedTime(started).TotalSeconds);
    }

    private void WriteRunFile()
    {
        var entry = _topology.Projects
            .Select(p => Options.Ports.TryGetValue(p.Name, out var port) ? port : p.HttpPort)
            .FirstOrDefault(p => p is not null);
        var run = new Dictionary<string, object?>
        {
            ["pid"] = Environment.ProcessId,
            ["gateway"] = entry is null ? null : $"http://127.0.0.1:{entry.Value.ToString(CultureInfo.InvariantCulture)}",
            ["dashboard"] = DashboardUrl,
            ["control"] = ControlUrl,
            ["internal_token"] = Secrets.InternalToken,
        };
        RunSecrets.WritePrivate(Path.Combine(StateFolder, "run.json"), JsonSerializer.Serialize(run));
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Resource} ready: {Detail} ({Seconds:0.00} s)")]
    private static partial void LogResourceReady(ILogger logger, string resource, string detail, double seconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Resource}: {Url}")]
    private static partial void LogEntryPoint(ILogger logger, string resource, string url);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Stack ready in {Seconds:0.00} s. Dashboard: {DashboardUrl}")]
    private static partial void LogStackReady(ILogger logger, double seconds, string dashboardUrl);

    [LoggerMessage(EventId = 4, Level = LogLevel.Critical, Message = "The stack could not start: {Error}")]
    private static partial void LogStartFailed(ILogger logger, string error);
}
