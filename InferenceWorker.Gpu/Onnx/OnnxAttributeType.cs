namespace BenchPlatform.InferenceWorker.Onnx;

/// <summary>Kinds of node attribute, numbered as <c>AttributeProto.AttributeType</c> in onnx.proto.</summary>
public enum OnnxAttributeType
{
    /// <summary>A float.</summary>
    Float = 1,

    /// <summary>A 64-bit integer.</summary>
    Int = 2,

    /// <summary>A UTF-8 string.</summary>
    String = 3,

    /// <summary>A constant tensor.</summary>
    Tensor = 4,

    /// <summary>A subgraph (If, Loop, Scan bodies).</summary>
    Graph = 5,

    /// <summary>A list of floats.</summary>
    Floats = 6,

    /// <summary>A list of 64-bit integers.</summary>
    Ints = 7,

    /// <summary>A list of strings.</summary>
    Strings = 8,
}
