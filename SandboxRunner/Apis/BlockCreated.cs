namespace BenchPlatform.SandboxRunner.Apis;

/// <summary>The answer to a registration: the block's name and the sha256 of its code.</summary>
public sealed record BlockCreated(string Name, string Sha256);
