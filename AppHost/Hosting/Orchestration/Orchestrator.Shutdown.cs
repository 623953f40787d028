using System.Runtime.InteropServices;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <content>Shutdown: projects first, then the servers, once; and the kill that leaves no orphan when the AppHost exits before that finished.</content>
public sealed partial class Orchestrator
{
    /// <summary>Stops every process of the stack, once (later calls return the same task).</summary>
    private Task StopStackAsync()
    {
        lock (_stopping)
        {
            return _stop ??= Task.Run(StopCoreAsync);
        }
    }

    private void OnStopSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _lifetime.StopApplication();
    }

    private void FinishStop()
    {
        try
        {
            StopStackAsync().Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // Whatever the graceful stop could not do, the kill below does.
        }

        KillEverything();
    }

    private async Task StopCoreAsync()
    {
        LogStopping(_logger);
        await _stopping.CancelAsync();
        await _run;
        await Task.WhenAll(_runners.Values.Select(r => r.StopAsync()));
        if (_servers is not null)
        {
            await _servers.DisposeAsync();
        }

        File.Delete(Path.Combine(StateFolder, "run.json"));
        foreach (var resource in _topology.Resources)
        {
            _reporter.Stopped(resource);
        }

        _stopped = true;
        LogStopped(_logger);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }

        _stopping.Dispose();
        Http.Dispose();
        foreach (var log in _logs.Values)
        {
            log.Dispose();
        }
    }

    private void KillEverything()
    {
        if (_stopped)
        {
            return;
        }

        foreach (var runner in _runners.Values)
        {
            runner.KillWithoutRestart();
        }

        _servers?.Kill();
    }

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Stopping every process of the stack")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Stopped")]
    private static partial void LogStopped(ILogger logger);
}
