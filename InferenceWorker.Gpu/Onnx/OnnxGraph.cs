namespace BenchPlatform.InferenceWorker.Onnx;

/// <summary>
/// A computation graph (<c>GraphProto</c>): nodes in topological order, constant initializers,
/// typed inputs and outputs, and optional typed intermediate values.
/// </summary>
public sealed record OnnxGraph(
    string Name,
    IReadOnlyList<OnnxNode> Nodes,
    IReadOnlyList<OnnxTensor> Initializers,
    IReadOnlyList<OnnxValueInfo> Inputs,
    IReadOnlyList<OnnxValueInfo> Outputs)
{
    /// <summary>Type information for intermediate values (optional; ONNX Runtime infers it).</summary>
    public IReadOnlyList<OnnxValueInfo> ValueInfo { get; init; } = [];
}
