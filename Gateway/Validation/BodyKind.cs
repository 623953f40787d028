namespace BenchPlatform.Gateway.Validation;

/// <summary>Which request body shape a route expects, checked before forwarding.</summary>
internal enum BodyKind
{
    None,
    Infer,
    ModelUpload,
    LlmUpload,
    Completion,
    ChatCompletion,
    BlockRun,
    BlockRegister,
    BlockRunNamed,
    Scale,
    Warmup,
}
