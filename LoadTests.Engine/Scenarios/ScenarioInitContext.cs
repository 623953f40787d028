namespace BenchPlatform.LoadTests;

/// <summary>What <see cref="ScenarioProps.WithInit"/> and <see cref="ScenarioProps.WithClean"/> see.</summary>
public sealed class ScenarioInitContext
{
    internal ScenarioInitContext(string scenarioName, Uri? target, HttpMessageInvoker client, CancellationToken cancellationToken)
    {
        ScenarioName = scenarioName;
        Target = target;
        Client = client;
        CancellationToken = cancellationToken;
    }

    /// <summary>The scenario's name.</summary>
    public string ScenarioName { get; }

    /// <summary>The runner's base address, or null.</summary>
    public Uri? Target { get; }

    /// <summary>The HTTP client the iterations will share.</summary>
    public HttpMessageInvoker Client { get; }

    /// <summary>Cancelled when the run stops.</summary>
    public CancellationToken CancellationToken { get; }
}
