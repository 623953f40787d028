using System.Buffers;
using BenchPlatform.Protocol.Tensors;

namespace BenchPlatform.Protocol.Inference;

/// <summary>
/// One request input decoded from JSON: numeric elements packed little-endian into a pooled byte buffer
/// (no boxing), strings into an array. Dispose returns the buffer.
/// </summary>
public sealed class InputTensor : IDisposable
{
    private byte[]? _rented;

    /// <summary>A tensor of <paramref name="elementCount"/> elements; numeric types get a pooled buffer of their byte size.</summary>
    public InputTensor(string name, TensorDataType dataType, long[] shape, int elementCount)
    {
        Name = name;
        DataType = dataType;
        Shape = shape;
        ElementCount = elementCount;
        if (dataType == TensorDataType.String)
        {
            Strings = new string[elementCount];
        }
        else
        {
            ByteLength = elementCount * TensorDataTypes.ElementSize(dataType);
            _rented = ArrayPool<byte>.Shared.Rent(Math.Max(ByteLength, 1));
        }
    }

    /// <summary>The input name.</summary>
    public string Name { get; private set; }

    /// <summary>The datatype the request declared.</summary>
    public TensorDataType DataType { get; }

    /// <summary>The shape the request declared.</summary>
    public long[] Shape { get; }

    /// <summary>Number of elements (product of the shape).</summary>
    public int ElementCount { get; }

    /// <summary>Bytes used in <see cref="Buffer"/>.</summary>
    public int ByteLength { get; }

    /// <summary>The pooled element bytes (numeric types); longer than <see cref="ByteLength"/>.</summary>
    public byte[] Buffer => _rented ?? throw new ObjectDisposedException(Name);

    /// <summary>The elements of a STRING input.</summary>
    public string[]? Strings { get; }

    /// <summary>The element bytes.</summary>
    public Span<byte> Bytes => Buffer.AsSpan(0, ByteLength);

    /// <summary>The first dimension (1 for a scalar).</summary>
    public int Rows => Shape.Length == 0 ? 1 : (int)Shape[0];

    /// <summary>Sets the name once the whole input object is read (the fast data path decodes before it may know it).</summary>
    internal InputTensor WithName(string name)
    {
        Name = name;
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var rented = Interlocked.Exchange(ref _rented, null);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
