using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace BenchPlatform.InferenceWorker.Onnx;

/// <summary>
/// A minimal protocol-buffers wire-format writer: varints, fixed32/64, length-delimited fields and
/// nested messages (each written to its own buffer, then framed by its length).
/// </summary>
internal sealed class ProtoWriter
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public void WriteInt64(int field, long value)
    {
        WriteTag(field, WireVarint);
        WriteVarint(unchecked((ulong)value));
    }

    public void WriteFloat(int field, float value)
    {
        WriteTag(field, WireFixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteDouble(int field, double value)
    {
        WriteTag(field, WireFixed64);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void WriteString(int field, string value)
    {
        WriteTag(field, WireLengthDelimited);
        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)count);
        var span = _buffer.GetSpan(count);
        Encoding.UTF8.GetBytes(value, span);
        _buffer.Advance(count);
    }

    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>A repeated int64 field, packed (parsers accept packed and unpacked alike).</summary>
    public void WritePackedInt64(int field, ReadOnlySpan<long> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        var length = 0;
        foreach (var value in values)
        {
            length += VarintSize(unchecked((ulong)value));
        }

        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)length);
        foreach (var value in values)
        {
            WriteVarint(unchecked((ulong)value));
        }
    }

    /// <summary>A repeated float field, packed.</summary>
    public void WritePackedFloat(int field, ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)values.Length * 4);
        var span = _buffer.GetSpan(values.Length * 4);
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(span[(i * 4)..], values[i]);
        }

        _buffer.Advance(values.Length * 4);
    }

    /// <summary>Writes a nested message: <paramref name="write"/> fills a child writer whose bytes are framed here.</summary>
    public void WriteMessage<TState>(int field, TState state, Action<ProtoWriter, TState> write)
    {
        var child = new ProtoWriter();
        write(child, state);
        WriteBytes(field, child.WrittenSpan);
    }

    private void WriteTag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _buffer.Advance(i);
    }

    private static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }
}
