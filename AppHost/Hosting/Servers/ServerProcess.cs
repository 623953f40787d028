using System.Diagnostics;

namespace BenchPlatform.AppHost.Hosting.Servers;

/// <summary>
/// A child process started with its output captured, stopped with its whole process tree.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly int _stopSignal;

    private ServerProcess(Process process, string name, int stopSignal)
    {
        _process = process;
        Name = name;
        _stopSignal = stopSignal;
    }

    /// <summary>What the process is, for messages.</summary>
    public string Name { get; }

    /// <summary>The operating-system process id.</summary>
    public int Id => _process.Id;

    /// <summary>The exit code, once exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Completes when the process exits.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>
    /// Starts <paramref name="startInfo"/>, sending each output line to <paramref name="onLine"/>;
    /// <paramref name="stopSignal"/> is what <see cref="StopAsync"/> sends first.
    /// </summary>
    public static ServerProcess Start(string name, ProcessStartInfo startInfo, Action<string>? onLine = null, int stopSignal = ProcessSignals.SigTerm)
    {
        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.RedirectStandardInput = false;
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { onLine?.Invoke(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { onLine?.Invoke(e.Data); } };
        if (!process.Start())
        {
            throw new InvalidOperationException($"{name} did not start ({startInfo.FileName}).");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServerProcess(process, name, stopSignal);
    }

    /// <summary>
    /// Asks the process to stop (its stop signal), kills the tree after <paramref name="grace"/>, and
    /// kills any descendant that outlived it, so nothing it started is left behind.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        var descendants = ProcessTree.Descendants(_process.Id);
        ProcessSignals.Send(_process.Id, _stopSignal);
        using var cts = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            KillTree();
            await _process.WaitForExitAsync();
        }

        foreach (var pid in descendants)
        {
            if (ProcessTree.IsAlive(pid))
            {
                ProcessSignals.Send(pid, ProcessSignals.SigKill);
            }
        }
    }

    /// <summary>Kills the process and its descendants at once (SIGKILL); used when the AppHost itself is exiting.</summary>
    public void KillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
