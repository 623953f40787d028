namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>One sequence's part of a batched step: <c>Tokens[Start..Start+Count]</c> are fed after its cache.</summary>
internal readonly record struct StepRow(SequenceCache Cache, int[] Tokens, int Start, int Count);
