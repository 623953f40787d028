namespace BenchPlatform.SandboxRunner.Apis;

/// <summary>A registered block as <c>GET /v1/blocks/{name}</c> shows it.</summary>
public sealed record BlockInfo(string Name, string Language, string Entrypoint, string Sha256, string Code, DateTimeOffset CreatedAt);
