namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>One line a process wrote, with when the AppHost read it.</summary>
public readonly record struct LogLine(DateTimeOffset Timestamp, string Text);
