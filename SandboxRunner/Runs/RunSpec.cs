namespace BenchPlatform.SandboxRunner.Runs;

/// <summary>
/// A validated run: the block's code and entrypoint as JSON string tokens and its inputs as raw JSON, exactly as
/// they go into the jail, plus the limits that apply.
/// </summary>
internal sealed record RunSpec(ReadOnlyMemory<byte> CodeJson, ReadOnlyMemory<byte> EntrypointJson, ReadOnlyMemory<byte> InputsJson, int TimeoutMs, int MemoryMb);
