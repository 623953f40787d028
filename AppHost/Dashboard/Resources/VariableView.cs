namespace BenchPlatform.AppHost.Dashboard.Resources;

/// <summary>An environment variable a process starts with, its value redacted where it holds a secret.</summary>
public sealed record VariableView(string Name, string Value);
