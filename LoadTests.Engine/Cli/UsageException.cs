namespace BenchPlatform.LoadTests.Cli;

/// <summary>A command-line mistake; its message tells the user what to change (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
