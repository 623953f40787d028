using BenchPlatform.Gateway.Validation;

namespace BenchPlatform.Gateway.Forwarding;

/// <summary>What the gateway does for a route besides forwarding: body validation, admin-only, retry-safe.</summary>
internal sealed record RoutePolicy(BodyKind Body, bool Admin, bool Idempotent)
{
    public static readonly RoutePolicy Default = new(BodyKind.None, Admin: false, Idempotent: false);
}
