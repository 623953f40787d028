using BenchPlatform.AppHost.Hosting.Orchestration;

namespace BenchPlatform.AppHost.Dashboard.Load;

/// <summary>Once a second, records every scalable project's ready, desired, in-flight and waiting counts.</summary>
internal sealed class LoadSampler(Orchestrator orchestrator, LoadTimeline timeline, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            do
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                foreach (var runner in orchestrator.Runners.Values)
                {
                    if (runner.Resource.Autoscale is not null || orchestrator.RoutedTo(runner))
                    {
                        timeline.RecordGauges(runner.Resource.Name, now, runner.Ready, runner.Desired, runner.Inflight, runner.Waiting);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
