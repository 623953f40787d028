namespace BenchPlatform.AppHost.Hosting;

/// <summary>Configuration overrides of a declared autoscale policy (<c>AppHost:Autoscale:{name}:…</c>).</summary>
public sealed class AutoscaleSettings
{
    /// <summary>Replicas kept warm even without demand.</summary>
    public int? Min { get; set; }

    /// <summary>The most replicas.</summary>
    public int? Max { get; set; }

    /// <summary>In-flight requests one replica is meant to carry.</summary>
    public int? TargetInflightPerReplica { get; set; }

    /// <summary>How long demand must stay lower before one replica is removed.</summary>
    public TimeSpan? ScaleDownWindow { get; set; }

    /// <summary>Ready replicas kept beyond what demand needs while there is demand.</summary>
    public int? Buffer { get; set; }
}
