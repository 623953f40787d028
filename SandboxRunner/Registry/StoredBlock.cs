namespace BenchPlatform.SandboxRunner.Registry;

/// <summary>A registered block: its name, language, entrypoint, code and the sha256 of the code.</summary>
internal sealed record StoredBlock(string Name, string Language, string Entrypoint, string Code, string Sha256, DateTimeOffset CreatedAt)
{
    /// <summary>The code as a JSON string token, ready for the jail payload.</summary>
    public byte[] CodeJson { get; } = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Code);

    /// <summary>The entrypoint as a JSON string token.</summary>
    public byte[] EntrypointJson { get; } = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Entrypoint);
}
