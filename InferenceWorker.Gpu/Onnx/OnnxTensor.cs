using System.Runtime.InteropServices;

namespace BenchPlatform.InferenceWorker.Onnx;

/// <summary>
/// A constant tensor (<c>TensorProto</c>): an initializer, or the value of a tensor attribute.
/// Numeric data is kept as little-endian <c>raw_data</c>; strings as <c>string_data</c>.
/// </summary>
public sealed class OnnxTensor
{
    private OnnxTensor(string name, OnnxDataType dataType, long[] dims, byte[]? raw, string[]? strings)
    {
        var count = 1L;
        foreach (var dim in dims)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dim, nameof(dims));
            count *= dim;
        }

        var actual = strings?.LongLength ?? raw!.LongLength / ElementSize(dataType);
        if (actual != count)
        {
            throw new ArgumentException(
                $"Tensor '{name}' has shape [{string.Join(',', dims)}] ({count} elements) but {actual} values were given.");
        }

        Name = name;
        DataType = dataType;
        Dims = dims;
        if (raw is not null)
        {
            RawData = raw;
        }

        StringData = strings;
    }

    /// <summary>The tensor's name (the initializer name a node input refers to).</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public OnnxDataType DataType { get; }

    /// <summary>The shape; empty for a scalar.</summary>
    public IReadOnlyList<long> Dims { get; }

    /// <summary>Little-endian element bytes for numeric and boolean types.</summary>
    public ReadOnlyMemory<byte>? RawData { get; }

    /// <summary>The elements of a string tensor.</summary>
    public IReadOnlyList<string>? StringData { get; }

    /// <summary>
    /// A tensor of <typeparamref name="T"/> (float, Half, double, sbyte, byte, short, ushort, int, uint, long, ulong, bool);
    /// the element type follows from <typeparamref name="T"/>.
    /// </summary>
    public static OnnxTensor Create<T>(string name, ReadOnlySpan<long> dims, ReadOnlySpan<T> values) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian; this writer assumes a little-endian host.");
        }

        return new OnnxTensor(name, DataTypeOf<T>(), dims.ToArray(), MemoryMarshal.AsBytes(values).ToArray(), null);
    }

    /// <summary>A scalar (shape <c>[]</c>) of <typeparamref name="T"/>.</summary>
    public static OnnxTensor Scalar<T>(string name, T value) where T : unmanaged =>
        Create(name, ReadOnlySpan<long>.Empty, new ReadOnlySpan<T>(in value));

    /// <summary>A tensor from little-endian bytes already laid out for <paramref name="dataType"/> (e.g. BFLOAT16).</summary>
    public static OnnxTensor FromRaw(string name, OnnxDataType dataType, ReadOnlySpan<long> dims, ReadOnlySpan<byte> raw) =>
        new(name, dataType, dims.ToArray(), raw.ToArray(), null);

    /// <summary>A STRING tensor.</summary>
    public static OnnxTensor FromStrings(string name, ReadOnlySpan<long> dims, IEnumerable<string> values) =>
        new(name, OnnxDataType.String, dims.ToArray(), null, values.ToArray());

    /// <summary>The ONNX element type that stores a <typeparamref name="T"/>.</summary>
    public static OnnxDataType DataTypeOf<T>() where T : unmanaged => default(T) switch
    {
        float => OnnxDataType.Float,
        Half => OnnxDataType.Float16,
        double => OnnxDataType.Double,
        sbyte => OnnxDataType.Int8,
        byte => OnnxDataType.UInt8,
        short => OnnxDataType.Int16,
        ushort => OnnxDataType.UInt16,
        int => OnnxDataType.Int32,
        uint => OnnxDataType.UInt32,
        long => OnnxDataType.Int64,
        ulong => OnnxDataType.UInt64,
        bool => OnnxDataType.Bool,
        _ => throw new NotSupportedException($"{typeof(T).Name} has no ONNX element type; use FromRaw."),
    };

    /// <summary>Bytes per element of a numeric or boolean type.</summary>
    public static int ElementSize(OnnxDataType dataType) => dataType switch
    {
        OnnxDataType.Bool or OnnxDataType.Int8 or OnnxDataType.UInt8 => 1,
        OnnxDataType.Int16 or OnnxDataType.UInt16 or OnnxDataType.Float16 or OnnxDataType.BFloat16 => 2,
        OnnxDataType.Float or OnnxDataType.Int32 or OnnxDataType.UInt32 => 4,
        OnnxDataType.Double or OnnxDataType.Int64 or OnnxDataType.UInt64 => 8,
        _ => throw new NotSupportedException($"{dataType} has no fixed element size."),
    };
}
