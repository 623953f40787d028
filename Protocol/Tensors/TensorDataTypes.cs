namespace BenchPlatform.Protocol.Tensors;

/// <summary>
/// The one table of <see cref="TensorDataType"/>: the v2 name, the element size in binary tensor data and the JSON
/// element rule. Both services read datatypes through it.
/// </summary>
public static class TensorDataTypes
{
    /// <summary>Every name a request may use, as a message lists them.</summary>
    public const string Names = "BOOL, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FP16, FP32, FP64, STRING";

    /// <summary>The v2 name (<c>FP32</c>, <c>INT64</c>, …).</summary>
    public static string Name(TensorDataType type) => type switch
    {
        TensorDataType.Bool => "BOOL",
        TensorDataType.UInt8 => "UINT8",
        TensorDataType.UInt16 => "UINT16",
        TensorDataType.UInt32 => "UINT32",
        TensorDataType.UInt64 => "UINT64",
        TensorDataType.Int8 => "INT8",
        TensorDataType.Int16 => "INT16",
        TensorDataType.Int32 => "INT32",
        TensorDataType.Int64 => "INT64",
        TensorDataType.Fp16 => "FP16",
        TensorDataType.Fp32 => "FP32",
        TensorDataType.Fp64 => "FP64",
        TensorDataType.String => "STRING",
        _ => "UNKNOWN",
    };

    /// <summary>Parses a v2 name (case-sensitive, as the protocol spells them); <c>BYTES</c> means STRING.</summary>
    public static TensorDataType Parse(ReadOnlySpan<char> name) => name switch
    {
        "BOOL" => TensorDataType.Bool,
        "UINT8" => TensorDataType.UInt8,
        "UINT16" => TensorDataType.UInt16,
        "UINT32" => TensorDataType.UInt32,
        "UINT64" => TensorDataType.UInt64,
        "INT8" => TensorDataType.Int8,
        "INT16" => TensorDataType.Int16,
        "INT32" => TensorDataType.Int32,
        "INT64" => TensorDataType.Int64,
        "FP16" => TensorDataType.Fp16,
        "FP32" => TensorDataType.Fp32,
        "FP64" => TensorDataType.Fp64,
        "STRING" or "BYTES" => TensorDataType.String,
        _ => TensorDataType.Unknown,
    };

    /// <summary>As <see cref="Parse(ReadOnlySpan{char})"/>, from the UTF-8 bytes of the name (no allocation).</summary>
    public static TensorDataType Parse(ReadOnlySpan<byte> name)
    {
        Span<char> chars = stackalloc char[8];
        if (name.Length > chars.Length)
        {
            return TensorDataType.Unknown;
        }

        for (var i = 0; i < name.Length; i++)
        {
            chars[i] = (char)name[i];
        }

        return Parse(chars[..name.Length]);
    }

    /// <summary>Bytes per element in binary tensor data (0 for STRING, whose elements each carry a 4-byte length).</summary>
    public static int ElementSize(TensorDataType type) => type switch
    {
        TensorDataType.Bool or TensorDataType.UInt8 or TensorDataType.Int8 => 1,
        TensorDataType.UInt16 or TensorDataType.Int16 or TensorDataType.Fp16 => 2,
        TensorDataType.UInt32 or TensorDataType.Int32 or TensorDataType.Fp32 => 4,
        TensorDataType.UInt64 or TensorDataType.Int64 or TensorDataType.Fp64 => 8,
        _ => 0,
    };

    /// <summary>How the datatype's elements are written in JSON.</summary>
    public static TensorJsonKind JsonKind(TensorDataType type) => type switch
    {
        TensorDataType.Unknown => TensorJsonKind.None,
        TensorDataType.Bool => TensorJsonKind.Boolean,
        TensorDataType.String => TensorJsonKind.String,
        _ => TensorJsonKind.Number,
    };

    /// <summary>Whether JSON elements may also be the strings <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>.</summary>
    public static bool IsFloat(TensorDataType type) => type is TensorDataType.Fp16 or TensorDataType.Fp32 or TensorDataType.Fp64;
}
