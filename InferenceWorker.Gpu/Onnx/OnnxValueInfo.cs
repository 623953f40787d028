namespace BenchPlatform.InferenceWorker.Onnx;

/// <summary>
/// A typed graph input, output or intermediate value (<c>ValueInfoProto</c> with a tensor type).
/// <see cref="Shape"/> null means unknown rank; an empty shape is a scalar.
/// </summary>
public sealed record OnnxValueInfo(string Name, OnnxDataType ElementType, IReadOnlyList<OnnxDim>? Shape);
