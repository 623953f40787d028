using BenchPlatform.InferenceWorker.Registry;

namespace BenchPlatform.InferenceWorker.Predict;

/// <summary>v2 model metadata: <c>{"name","versions","platform","inputs":[{"name","datatype","shape"}],"outputs"}</c>.</summary>
public sealed record ModelMetadataResponse(string Name, string[] Versions, string Platform, IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs);
