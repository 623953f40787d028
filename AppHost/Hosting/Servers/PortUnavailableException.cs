namespace BenchPlatform.AppHost.Hosting.Servers;

/// <summary>A fixed port the stack listens on is taken; the message names the port, its owner and the setting to change.</summary>
public sealed class PortUnavailableException(string message) : Exception(message);
