namespace BenchPlatform.InferenceWorker.Onnx;

/// <summary>
/// One operator call (<c>NodeProto</c>). Inputs and outputs are value names; an empty string is an
/// omitted optional input. <see cref="Domain"/> is empty for the default ONNX domain.
/// </summary>
public sealed record OnnxNode(
    string OpType,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyList<OnnxAttribute> Attributes,
    string Name = "",
    string Domain = "");
