namespace BenchPlatform.Gateway.Validation;

/// <summary>A caller mistake: the request field at fault and what to change.</summary>
internal sealed record ValidationError(string Field, string Detail);
