namespace BenchPlatform.AppHost.Dashboard.Resources;

/// <summary>An address a resource listens on (a link for HTTP, host:port for servers).</summary>
public sealed record EndpointView(string Name, string Url);
