namespace BenchPlatform.Gateway.Options;

/// <summary>One API key: the secret, a name for logs and rate-limit partitions, its role and optional own rate.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The role that may call management endpoints.</summary>
    public const string AdminRole = "admin";

    /// <summary>The role that may call everything but management endpoints.</summary>
    public const string UserRole = "user";

    /// <summary>The bearer secret.</summary>
    public string Key { get; set; } = "";

    /// <summary>A name for logs and the rate-limit partition; defaults to the key's position.</summary>
    public string? Name { get; set; }

    /// <summary><see cref="AdminRole"/> or <see cref="UserRole"/>.</summary>
    public string Role { get; set; } = UserRole;

    /// <summary>This key's own rate in requests per second, overriding the gateway default when set.</summary>
    public int? RateLimitPerSecond { get; set; }
}
