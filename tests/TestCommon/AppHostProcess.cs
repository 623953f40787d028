using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using BenchPlatform.AppHost.Hosting;
using BenchPlatform.AppHost.Hosting.Servers;

namespace BenchPlatform.TestCommon;

/// <summary>
/// The real AppHost run from its build output as a child process, with its own temp state folder and free
/// gateway and dashboard ports. Stop it with <see cref="StopAsync"/>, which sends SIGTERM and checks that
/// no process the AppHost started outlives it.
/// </summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly Dictionary<int, long> _seen = [];
    private readonly bool _ownsState;

    /// <summary>How long processes the AppHost started may take to go after it exits.</summary>
    private static readonly TimeSpan SurvivorGrace = TimeSpan.FromSeconds(10);

    private AppHostProcess(Process process, string stateFolder, bool ownsState, int gatewayPort, int dashboardPort, int controlPort)
    {
        _process = process;
        StateFolder = stateFolder;
        _ownsState = ownsState;
        GatewayUrl = new Uri($"http://127.0.0.1:{gatewayPort}/");
        DashboardUrl = new Uri($"http://127.0.0.1:{dashboardPort}/");
        ControlUrl = new Uri($"http://127.0.0.1:{controlPort}/");
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The AppHost's state folder (data, logs, secrets).</summary>
    public string StateFolder { get; }

    /// <summary>The gateway's base address.</summary>
    public Uri GatewayUrl { get; }

    /// <summary>Aspire's dashboard base address.</summary>
    public Uri DashboardUrl { get; }

    /// <summary>The AppHost's control API base address.</summary>
    public Uri ControlUrl { get; }

    /// <summary>The AppHost's process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Whether the AppHost has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The AppHost's exit code, once exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Waits until the AppHost has exited on its own and everything it printed has been read (the exit alone is seen
    /// before the last lines of its output arrive); throws <see cref="TimeoutException"/> past <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The AppHost did not exit within {timeout.TotalSeconds} s.\n{Output}");
        }
    }

    /// <summary>A client for the stack (no base address; combine with <see cref="GatewayUrl"/>).</summary>
    public HttpClient Http { get; }

    /// <summary>Everything the AppHost printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>The dll the AppHost's own build produced.</summary>
    public static string AppHostDll { get; } = typeof(AppHostOptions).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AppHostBuildOutput").Value!;

    /// <summary>
    /// Starts the AppHost. <paramref name="arguments"/> are extra command-line settings (e.g. <c>--AppHost:X=Y</c>);
    /// <paramref name="environment"/> overrides variables (null removes one), e.g. PATH.
    /// </summary>
    public static AppHostProcess Start(
        IEnumerable<string>? arguments = null, IDictionary<string, string?>? environment = null, string? stateFolder = null) =>
        Launch([AppHostDll], workingDirectory: null, arguments, environment, stateFolder);

    /// <summary>
    /// Runs the README's first command, <c>dotnet run --project AppHost</c>, in <paramref name="repository"/> (a checkout:
    /// it builds there first), with the same free ports and state folder as <see cref="Start"/>.
    /// </summary>
    public static AppHostProcess RunFromSource(
        string repository, IEnumerable<string>? arguments = null, IDictionary<string, string?>? environment = null) =>
        Launch(["run", "--project", "AppHost", "--"], repository, arguments, environment, stateFolder: null);

    private static AppHostProcess Launch(
        string[] command, string? workingDirectory, IEnumerable<string>? arguments, IDictionary<string, string?>? environment, string? stateFolder)
    {
        var ownsState = stateFolder is null;
        stateFolder ??= Path.Combine(Path.GetTempPath(), $"benchplatform-stack-{Guid.NewGuid():N}");
        Directory.CreateDirectory(stateFolder);
        var gatewayPort = FreePort.Next();
        var dashboardPort = FreePort.Next();
        var controlPort = FreePort.Next();
        var start = new ProcessStartInfo(DotNetHost.Path)
        {
            WorkingDirectory = workingDirectory ?? stateFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var part in command)
        {
            start.ArgumentList.Add(part);
        }

        start.ArgumentList.Add($"--AppHost:StateFolder={stateFolder}");
        start.ArgumentList.Add($"--AppHost:Ports:gateway={gatewayPort}");
        start.ArgumentList.Add($"--AppHost:DashboardPort={dashboardPort}");
        start.ArgumentList.Add($"--AppHost:ControlPort={controlPort}");
        foreach (var argument in arguments ?? [])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var host = new AppHostProcess(process, stateFolder, ownsState, gatewayPort, dashboardPort, controlPort);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits until the gateway's <c>/health</c> says <c>healthy</c>; fails with the AppHost's output otherwise.</summary>
    public async Task WaitHealthyAsync(TimeSpan? timeout = null)
    {
        try
        {
            await Wait.UntilAsync(async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"The AppHost exited with code {_process.ExitCode}.");
                }

                RecordDescendants();
                var health = await GetGatewayHealthAsync();
                return health?.GetProperty("status").GetString() == "healthy";
            }, timeout ?? TimeSpan.FromSeconds(60), "The gateway did not report healthy");
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{ex.Message}\nAppHost output:\n{Output}", ex);
        }

        RecordDescendants();
    }

    /// <summary>The gateway's <c>/health</c> body, or null when it does not answer.</summary>
    public async Task<JsonElement?> GetGatewayHealthAsync()
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(GatewayUrl, "health"));
            var text = await response.Content.ReadAsStringAsync();
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The run's internal token, which the AppHost writes (owner-only) to <c>{state}/run.json</c>.</summary>
    public string InternalToken()
    {
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(StateFolder, "run.json")));
        return run.RootElement.GetProperty("internal_token").GetString()!;
    }

    /// <summary>A request to the AppHost's control API carrying the internal token.</summary>
    public HttpRequestMessage ControlRequest(HttpMethod method, string path) =>
        new(method, new Uri(ControlUrl, path)) { Headers = { { "X-Internal-Token", InternalToken() } } };

    /// <summary>Live processes the AppHost started (children and theirs), with their command lines.</summary>
    public IReadOnlyList<(int Pid, string CommandLine)> Descendants()
    {
        RecordDescendants();
        return [.. ProcessTree.Descendants(_process.Id).Select(pid => (pid, ProcessTree.CommandLine(pid) ?? string.Empty))];
    }

    /// <summary>
    /// Sends SIGTERM, waits for the AppHost to exit and returns every process it had started that is still alive
    /// (empty when it cleaned up).
    /// </summary>
    public async Task<IReadOnlyList<string>> StopAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            RecordDescendants();
            ProcessSignals.Terminate(_process.Id);
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
                throw new TimeoutException($"The AppHost did not exit within {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds} s of SIGTERM.\n{Output}");
            }
        }

        // A process the AppHost killed as it exited may take a moment to go on a loaded machine; one still there after
        // the grace is a survivor. A pid now held by a process started later (pids wrap) is not one.
        KeyValuePair<int, long>[] seen;
        lock (_seen)
        {
            seen = [.. _seen];
        }

        bool Survives(KeyValuePair<int, long> process) => ProcessTree.IsAlive(process.Key) && ProcessTree.StartTime(process.Key) == process.Value;
        var deadline = DateTime.UtcNow + SurvivorGrace;
        while (seen.Any(Survives) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var survivors = seen.Where(Survives).Select(p => $"{p.Key}: {ProcessTree.CommandLine(p.Key)} ({ProcessTree.Describe(p.Key)})").ToList();
        return survivors;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            var survivors = await StopAsync();
            foreach (var survivor in survivors)
            {
                ProcessSignals.Send(int.Parse(survivor[..survivor.IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture), ProcessSignals.SigKill);
            }
        }
        finally
        {
            Http.Dispose();
            _process.Dispose();
            if (_ownsState)
            {
                try
                {
                    Directory.Delete(StateFolder, recursive: true);
                }
                catch (IOException)
                {
                    // A file still being released; the temp folder is cleaned later.
                }
            }
        }
    }

    private void RecordDescendants()
    {
        if (_process.HasExited)
        {
            return;
        }

        var pids = ProcessTree.Descendants(_process.Id);
        lock (_seen)
        {
            foreach (var pid in pids)
            {
                // The latest process seen under a pid is the one that must be gone at the end.
                if (ProcessTree.StartTime(pid) is { } started)
                {
                    _seen[pid] = started;
                }
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }
    }
}
