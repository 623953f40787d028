namespace BenchPlatform.Protocol.Tensors;

/// <summary>The Open Inference Protocol v2 datatypes of the public contract (docs/api.md); BF16 is not one of them.</summary>
public enum TensorDataType
{
    /// <summary>Not a known datatype.</summary>
    Unknown,

    /// <summary>Boolean (JSON true/false).</summary>
    Bool,

    /// <summary>Unsigned 8-bit.</summary>
    UInt8,

    /// <summary>Unsigned 16-bit.</summary>
    UInt16,

    /// <summary>Unsigned 32-bit.</summary>
    UInt32,

    /// <summary>Unsigned 64-bit.</summary>
    UInt64,

    /// <summary>Signed 8-bit.</summary>
    Int8,

    /// <summary>Signed 16-bit.</summary>
    Int16,

    /// <summary>Signed 32-bit.</summary>
    Int32,

    /// <summary>Signed 64-bit.</summary>
    Int64,

    /// <summary>Half precision (JSON numbers, converted).</summary>
    Fp16,

    /// <summary>Single precision.</summary>
    Fp32,

    /// <summary>Double precision.</summary>
    Fp64,

    /// <summary>UTF-8 strings (v2 calls them BYTES; both names are accepted).</summary>
    String,
}
