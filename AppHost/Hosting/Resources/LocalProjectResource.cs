namespace BenchPlatform.AppHost.Hosting.Resources;

/// <summary>A .NET project run from its build output, as one or more replicas.</summary>
public sealed class LocalProjectResource(string name, IProjectOutput metadata) : LocalResource(name)
{
    /// <summary>Where the project and its build output are.</summary>
    public IProjectOutput Metadata { get; } = metadata;

    /// <summary>Resources whose connection details this project receives.</summary>
    public List<LocalResource> References { get; } = [];

    /// <summary>Extra environment variables.</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>Models each replica loads and runs once before it is ready, in order.</summary>
    public List<string> Preload { get; } = [];

    /// <summary>How many replicas run at start.</summary>
    public int Replicas { get; internal set; } = 1;

    /// <summary>The fixed HTTP port of a single-replica project; null for a free port.</summary>
    public int? HttpPort { get; internal set; }

    /// <summary>The scaling policy, when the project is autoscaled.</summary>
    public AutoscalePolicy? Autoscale { get; internal set; }
}
