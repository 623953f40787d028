using BenchPlatform.AppHost.Hosting.Servers;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>
/// One running copy of a project: started from build output, in rotation once its <c>/health</c> answers 200,
/// restarted with a doubling back-off when it exits or never becomes healthy.
/// </summary>
public sealed class Replica
{
    private readonly ProjectRunner _runner;

    /// <summary>The replica set it belongs to.</summary>
    internal ProjectRunner Runner => _runner;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;
    private ServerProcess? _process;

    internal Replica(ProjectRunner runner, int index, int port)
    {
        _runner = runner;
        Index = index;
        Id = $"{runner.Resource.Name}-{index}";
        Port = port;
        Address = $"http://127.0.0.1:{port}/";
        UnixSocket = runner.Orchestrator.UnixSocketFor(runner, Id);
        Log = runner.Orchestrator.CreateLog(Id);
    }

    /// <summary>The replica's position, reused after scale-down (its <c>service.instance.id</c>).</summary>
    public int Index { get; }

    /// <summary>The name, e.g. <c>inference-0</c> (its telemetry's name in the dashboard too).</summary>
    public string Id { get; }

    /// <summary>The loopback port it listens on, kept across restarts.</summary>
    public int Port { get; }

    /// <summary>The base address, with a trailing slash.</summary>
    public string Address { get; }

    /// <summary>
    /// The Unix domain socket it also listens on (in the AppHost's owner-only socket folder), which the gateway connects
    /// to instead of <see cref="Port"/>; null for a project no other project routes to, or when the path would be too long.
    /// </summary>
    public string? UnixSocket { get; }

    /// <summary>Where it is in its lifecycle.</summary>
    public ReplicaState State { get; private set; } = ReplicaState.Starting;

    /// <summary>How many times it was restarted after exiting on its own.</summary>
    public int Restarts { get; private set; }

    /// <summary>The current process id, when running.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>Milliseconds from its latest process start to ready.</summary>
    public double ReadyMs { get; private set; }

    /// <summary>Its stdout and stderr.</summary>
    public ResourceLog Log { get; }

    /// <summary>Completes when the replica first becomes ready; faults when it never can.</summary>
    internal Task FirstReady => _firstReady.Task;

    internal void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Takes the replica out of rotation ahead of a stop.</summary>
    internal void MarkDraining() => SetState(ReplicaState.Draining, "draining");

    internal async Task StopAsync(TimeSpan grace)
    {
        await _stop.CancelAsync();
        await _loop;
        if (_process is { } process)
        {
            await process.StopAsync(grace);
        }

        SetState(ReplicaState.Stopped, "stopped");
    }

    /// <summary>Kills the process tree at once; the replica's own restart loop starts it again (a restart).</summary>
    internal void KillNow() => _process?.KillTree();

    /// <summary>Ends the restart loop and kills the process tree at once (the AppHost is exiting without a graceful stop).</summary>
    internal void KillWithoutRestart()
    {
        _stop.Cancel();
        _process?.KillTree();
    }

    private async Task RunAsync()
    {
        var failures = 0;
        var everReady = false;
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            var started = _runner.Time.GetTimestamp();
            try
            {
                _process = _runner.StartProcess(this);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                _firstReady.TrySetException(ex);
                return;
            }

            SetState(ReplicaState.Starting, "process-start", $"pid {_process.Id}");
            _runner.OnProcessStarted(this);

            var healthy = await WaitHealthyAsync(_process, started, token);
            if (healthy)
            {
                everReady = true;
                ReadyMs = _runner.Time.GetElapsedTime(started).TotalMilliseconds;
                if (State != ReplicaState.Draining)
                {
                    // One scaled away while it started stays out of rotation until it is stopped.
                    SetState(ReplicaState.Ready, "ready", $"{ReadyMs:0} ms after process start");
                }

                _firstReady.TrySetResult();
                try
                {
                    await _process.WaitForExitAsync(token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            if (token.IsCancellationRequested)
            {
                return;
            }

            var exitedOnItsOwn = _process.HasExited;
            if (!exitedOnItsOwn)
            {
                await _process.StopAsync(TimeSpan.FromSeconds(5));
            }

            var ranFor = _runner.Time.GetElapsedTime(started);
            failures = healthy && ranFor > TimeSpan.FromSeconds(30) ? 1 : failures + 1;
            var reason = exitedOnItsOwn
                ? $"exited with code {_process.ExitCode}"
                : $"did not report healthy within {_runner.Options.HealthTimeout.TotalSeconds:0} s";
            _runner.OnReplicaFailed(this, reason);

            if (!everReady && failures >= 3)
            {
                SetState(ReplicaState.Stopped, "gave-up", reason);
                _firstReady.TrySetException(new InvalidOperationException(
                    $"{Id} {reason} {failures} times before it was ever healthy. Its last output:\n{Log.Tail(20)}"));
                return;
            }

            Restarts++;
            var delay = TimeSpan.FromTicks(Math.Min(
                _runner.Options.MaxRestartDelay.Ticks,
                _runner.Options.RestartDelay.Ticks * (1L << Math.Min(failures - 1, 16))));
            SetState(ReplicaState.Restarting, "restarting", $"{reason}; restart {Restarts} in {delay.TotalMilliseconds:0} ms");
            try
            {
                await Task.Delay(delay, _runner.Time, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<bool> WaitHealthyAsync(ServerProcess process, long started, CancellationToken token)
    {
        var deadline = _runner.Time.GetTimestamp() + (long)(_runner.Options.HealthTimeout.TotalSeconds * _runner.Time.TimestampFrequency);
        var health = new Uri(Address + "health");
        var listening = false;
        while (!token.IsCancellationRequested && !process.HasExited && _runner.Time.GetTimestamp() < deadline)
        {
            try
            {
                using var response = await _runner.Http.GetAsync(health, token);
                if (!listening)
                {
                    // The runtime is up and serving; what follows until healthy is the service's own warm-up.
                    listening = true;
                    _runner.OnReplicaChanged(this, "listening", $"{_runner.Time.GetElapsedTime(started).TotalMilliseconds:0} ms after process start");
                }

                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!token.IsCancellationRequested)
            {
                // One probe timed out; try again.
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), _runner.Time, token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    private void SetState(ReplicaState state, string @event, string? detail = null)
    {
        State = state;
        _runner.OnReplicaChanged(this, @event, detail);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Id} {State} {Address}";
}
