using BenchPlatform.AppHost.Hosting.Orchestration;
using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Hosting.Reporting;

/// <summary>
/// Start, stop and restart of a project and its replicas from Aspire's dashboard (its standard lifecycle commands).
/// Stop drains every replica (an autoscaled project goes to min 0, so demand starts it again); start brings back the
/// declared replicas (and an operator's max 0 back to the declared max); restart kills a replica's process, which its
/// own restart loop starts again at once.
/// </summary>
internal static class ProjectCommands
{
    /// <summary>The type a replica's row carries (<see cref="ResourceReporter.Replica"/>).</summary>
    public const string ReplicaType = "Replica";

    public static IResourceBuilder<LocalProjectResource> WithLifecycleCommands(this IResourceBuilder<LocalProjectResource> builder)
    {
        var project = builder.Resource;
        return builder
            .WithCommand(KnownResourceCommands.StartCommand, "Start", context => RunAsync(context, project, StartAsync), Options("Play", OnProject(running: false)))
            .WithCommand(KnownResourceCommands.StopCommand, "Stop", context => RunAsync(context, project, StopAsync), Options("Stop", OnProject(running: true)))
            .WithCommand(KnownResourceCommands.RestartCommand, "Restart", context => RunAsync(context, project, Restart), Options("ArrowCounterclockwise", _ => ResourceCommandState.Enabled));
    }

    /// <summary>Start and stop act on the project row (its replicas are restarted one by one), when it is (not) running.</summary>
    private static Func<CustomResourceSnapshot, ResourceCommandState> OnProject(bool running) => snapshot =>
        snapshot.ResourceType == ReplicaType ? ResourceCommandState.Hidden
        : (snapshot.State?.Text == KnownResourceStates.Running) == running ? ResourceCommandState.Enabled
        : ResourceCommandState.Disabled;

    private static CommandOptions Options(string icon, Func<CustomResourceSnapshot, ResourceCommandState> state) => new()
    {
        IconName = icon,
        IconVariant = IconVariant.Regular,
        IsHighlighted = true,
        UpdateState = context => state(context.ResourceSnapshot),
    };

    private static async Task<ExecuteCommandResult> RunAsync(
        ExecuteCommandContext context, LocalProjectResource project, Func<ProjectRunner, Replica?, CancellationToken, Task> action)
    {
        var orchestrator = context.Services.GetRequiredService<Orchestrator>();
        var runner = orchestrator.Runner(project);
        var replica = context.ResourceName == project.Name ? null : runner.Replicas.FirstOrDefault(r => r.Id == context.ResourceName);
        if (replica is null && context.ResourceName != project.Name)
        {
            return CommandResults.Failure($"'{context.ResourceName}' is not a replica of '{project.Name}' any more (it was stopped or scaled away).");
        }

        await action(runner, replica, context.CancellationToken);
        return CommandResults.Success();
    }

    private static async Task StopAsync(ProjectRunner runner, Replica? replica, CancellationToken cancellationToken)
    {
        if (runner.Policy is not null)
        {
            await runner.SetBoundsAsync(0, runner.Max, cancellationToken);
        }

        await runner.ScaleToAsync(0, cancellationToken);
    }

    private static async Task StartAsync(ProjectRunner runner, Replica? replica, CancellationToken cancellationToken)
    {
        var min = runner.Policy?.Min ?? runner.Resource.Replicas;
        if (runner.Policy is not null)
        {
            await runner.SetBoundsAsync(min, runner.Max == 0 ? runner.Policy.Max : runner.Max, cancellationToken);
        }

        await runner.ScaleToAsync(Math.Max(Math.Max(1, min), runner.Desired), cancellationToken);
    }

    private static Task Restart(ProjectRunner runner, Replica? replica, CancellationToken cancellationToken)
    {
        foreach (var target in replica is not null ? [replica] : runner.Replicas.Where(r => r.State != ReplicaState.Draining).ToList())
        {
            target.KillNow();
        }

        return Task.CompletedTask;
    }
}
