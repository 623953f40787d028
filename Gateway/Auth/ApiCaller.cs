namespace BenchPlatform.Gateway.Auth;

/// <summary>The authenticated caller of a request: its key's name, role and rate.</summary>
internal sealed record ApiCaller(string Name, bool IsAdmin, int? RateLimitPerSecond);
