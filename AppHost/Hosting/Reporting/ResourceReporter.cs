using System.Collections.Immutable;
using BenchPlatform.AppHost.Hosting.Orchestration;
using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Hosting.Reporting;

/// <summary>
/// Tells Aspire what the local orchestrator runs: each resource's state and URL, each replica of a project as its own
/// row under the project (state, pid, address, restarts), and every line a process prints as that row's console log.
/// </summary>
public sealed class ResourceReporter(ResourceNotificationService notifications, ResourceLoggerService loggers)
{
    /// <summary>The resource is waiting for what it depends on, or starting.</summary>
    public void Starting(LocalResource resource) =>
        Publish(resource, resource.Name, s => s with { State = KnownResourceStates.Starting, StartTimeStamp = DateTime.UtcNow });

    /// <summary>The resource is ready; <paramref name="url"/> is where it answers, when it is a URL.</summary>
    public void Running(LocalResource resource, string detail, string? url) =>
        Publish(resource, resource.Name, s => s with
        {
            State = KnownResourceStates.Running,
            Urls = url is null ? s.Urls : [new UrlSnapshot("http", url, IsInternal: false)],
            Properties = With(s.Properties, "benchplatform.detail", detail),
        });

    /// <summary>The resource could not start.</summary>
    public void Failed(LocalResource resource, string error) =>
        Publish(resource, resource.Name, s => s with
        {
            State = KnownResourceStates.FailedToStart,
            Properties = With(s.Properties, "benchplatform.error", error),
        });

    /// <summary>The stack stopped the resource.</summary>
    public void Stopped(LocalResource resource) =>
        Publish(resource, resource.Name, s => s with { State = KnownResourceStates.Finished, StopTimeStamp = DateTime.UtcNow });

    /// <summary>A replica of <paramref name="project"/> changed state (or started).</summary>
    public void Replica(LocalProjectResource project, Replica replica) =>
        Publish(project, replica.Id, s => s with
        {
            ResourceType = ProjectCommands.ReplicaType,
            State = replica.State switch
            {
                ReplicaState.Starting => KnownResourceStates.Starting,
                ReplicaState.Ready => KnownResourceStates.Running,
                ReplicaState.Draining => new ResourceStateSnapshot("Draining", KnownResourceStateStyles.Info),
                ReplicaState.Restarting => new ResourceStateSnapshot("Restarting", KnownResourceStateStyles.Warn),
                _ => KnownResourceStates.Exited,
            },
            StartTimeStamp = replica.State == ReplicaState.Starting ? DateTime.UtcNow : s.StartTimeStamp,
            StopTimeStamp = replica.State == ReplicaState.Stopped ? DateTime.UtcNow : null,
            Urls = [new UrlSnapshot("http", replica.Address.TrimEnd('/'), IsInternal: true)],
            Properties = With(
                With(With(s.Properties, CustomResourceKnownProperties.Source, project.Name), "resource.parentName", project.Name),
                "executable.pid", replica.ProcessId),
        });

    /// <summary>Copies every line of <paramref name="log"/> into the console log of <paramref name="resourceId"/>.</summary>
    public void Attach(ResourceLog log, string resourceId)
    {
        var logger = loggers.GetLogger(resourceId);
        log.LineAppended += line => logger.LogInformation("{Line}", line.Text);
    }

    private static ImmutableArray<ResourcePropertySnapshot> With(ImmutableArray<ResourcePropertySnapshot> properties, string name, object? value) =>
        [.. properties.Where(p => p.Name != name), new ResourcePropertySnapshot(name, value)];

    private void Publish(LocalResource resource, string resourceId, Func<CustomResourceSnapshot, CustomResourceSnapshot> update) =>
        _ = notifications.PublishUpdateAsync(resource, resourceId, update);
}
