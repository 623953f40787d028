using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>The declared resources, as the orchestrator and the dashboard read them.</summary>
public sealed class Topology(IReadOnlyList<Resource> resources)
{
    /// <summary>Every resource, in declaration order.</summary>
    public IReadOnlyList<Resource> Resources { get; } = resources;

    /// <summary>The project resources.</summary>
    public IEnumerable<ProjectResource> Projects => Resources.OfType<ProjectResource>();

    /// <summary>The projects that reference <paramref name="project"/> (the ones that route to it).</summary>
    public IEnumerable<ProjectResource> ConsumersOf(ProjectResource project) =>
        Projects.Where(p => p.References.Contains(project));
}
