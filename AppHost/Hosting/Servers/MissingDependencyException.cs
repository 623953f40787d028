namespace BenchPlatform.AppHost.Hosting.Servers;

/// <summary>A program the stack needs is not installed; the message says what to install.</summary>
public sealed class MissingDependencyException(string message) : Exception(message);
