namespace BenchPlatform.InferenceWorker.Registry;

/// <summary>One input or output of a model's signature: v2 datatype name and shape (-1 for a dynamic dimension).</summary>
public sealed record TensorSpec(string Name, string Datatype, long[] Shape);
