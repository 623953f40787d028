namespace BenchPlatform.InferenceWorker.Llm.Templates;

/// <summary>A chat template that cannot be parsed or rendered; the message says where and why.</summary>
internal sealed class TemplateException(string message) : Exception(message);
