using BenchPlatform.AppHost.Hosting.Orchestration;

namespace BenchPlatform.AppHost.Dashboard.Traces;

/// <summary>
/// The services clients call (projects with a fixed HTTP endpoint, or that no project routes to): their server
/// spans without a parent in the stack are the requests the load charts count.
/// </summary>
public sealed class EntryServices
{
    private readonly HashSet<string> _names;

    /// <summary>The entry services of <paramref name="topology"/>.</summary>
    public EntryServices(Topology topology)
        : this(topology.Projects.Where(p => p.HttpPort is not null || !topology.ConsumersOf(p).Any()).Select(p => p.Name))
    {
    }

    /// <summary>Entry services by name.</summary>
    public EntryServices(IEnumerable<string> names)
    {
        _names = new HashSet<string>(names, StringComparer.Ordinal);
    }

    /// <summary>Whether <paramref name="span"/> is a request that entered the stack.</summary>
    public bool IsEntry(SpanRecord span) => span.Kind == "SERVER" && _names.Contains(span.Service);
}
