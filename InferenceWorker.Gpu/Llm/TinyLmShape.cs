namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>The dimensions of the tiny LM that <see cref="TinyLmBuilder"/> writes.</summary>
public sealed record TinyLmShape(int Layers = 2, int Hidden = 64, int Heads = 4, int Context = 512);
