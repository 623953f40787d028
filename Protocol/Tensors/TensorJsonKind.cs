namespace BenchPlatform.Protocol.Tensors;

/// <summary>How a datatype's elements are written in a JSON <c>data</c> array.</summary>
public enum TensorJsonKind
{
    /// <summary>Not a known datatype.</summary>
    None,

    /// <summary>JSON numbers; the float types also take the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>.</summary>
    Number,

    /// <summary>JSON <c>true</c>/<c>false</c>.</summary>
    Boolean,

    /// <summary>JSON strings.</summary>
    String,
}
