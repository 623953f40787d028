namespace BenchPlatform.Gateway.Forwarding;

/// <summary>Keys of the metadata the gateway's YARP routes carry, read by the request pipeline.</summary>
internal static class RouteMetadata
{
    /// <summary>Which body validation applies (a <see cref="Validation.BodyKind"/> name).</summary>
    public const string Validation = "validation";

    /// <summary>"true" when only an admin key may call the route.</summary>
    public const string Admin = "admin";

    /// <summary>"true" when the call is idempotent and may be retried on another replica (besides GET/HEAD).</summary>
    public const string Idempotent = "idempotent";
}
