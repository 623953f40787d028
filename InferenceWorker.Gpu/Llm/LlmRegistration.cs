namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>An uploaded LLM as the registry records it: its bytes are the blob <see cref="Sha256"/>, a GGUF file or an ONNX folder's zip.</summary>
internal sealed record LlmRegistration(string Name, string Sha256, string Format, long SizeBytes, DateTimeOffset CreatedAt)
{
    public const string Gguf = "gguf";
    public const string Zip = "zip";
}
