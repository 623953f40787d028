namespace BenchPlatform.AppHost.Hosting.Resources;

/// <summary>
/// A resource of Aspire's app model that the AppHost's local orchestrator runs as processes of its own (a server or a
/// project), reporting state, console logs and commands to Aspire's dashboard.
/// </summary>
public abstract class LocalResource(string name) : Aspire.Hosting.ApplicationModel.Resource(name)
{
    /// <summary>Resources that must be ready before this one starts.</summary>
    public List<LocalResource> WaitsFor { get; } = [];

    /// <inheritdoc />
    public override string ToString() => Name;
}
