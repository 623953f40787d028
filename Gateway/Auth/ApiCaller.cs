using System.Threading.RateLimiting;

namespace BenchPlatform.Gateway.Auth;

/// <summary>The authenticated caller of a request: its key's name, role, and its rate-limit partition (null: unlimited).</summary>
internal sealed record ApiCaller(string Name, bool IsAdmin, RateLimitPartition<string>? Limits);
