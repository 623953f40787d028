using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>The declared resources, as the orchestrator and the dashboard read them.</summary>
public sealed class Topology(IReadOnlyList<LocalResource> resources)
{
    /// <summary>Every resource, in declaration order.</summary>
    public IReadOnlyList<LocalResource> Resources { get; } = resources;

    /// <summary>The project resources.</summary>
    public IEnumerable<LocalProjectResource> Projects => Resources.OfType<LocalProjectResource>();

    /// <summary>The projects that reference <paramref name="project"/> (the ones that route to it).</summary>
    public IEnumerable<LocalProjectResource> ConsumersOf(LocalProjectResource project) =>
        Projects.Where(p => p.References.Contains(project));
}
