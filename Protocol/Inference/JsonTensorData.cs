using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchPlatform.Protocol.Tensors;

namespace BenchPlatform.Protocol.Inference;

/// <summary>
/// The fast path for a tensor's JSON <c>data</c>: one pass over the bytes of a (possibly nested) array of numbers,
/// booleans or the float names <c>"NaN"</c>/<c>"Infinity"</c>/<c>"-Infinity"</c>. Decode mode writes each element
/// into the tensor's pooled buffer; validate mode checks each element by the same rules and keeps nothing. Anything
/// outside this strict subset (escapes, strings, out-of-range values, a count that does not match, malformed JSON)
/// answers -1 and the caller takes the general path, which names the fault.
/// </summary>
internal static class JsonTensorData
{
    private const int MaxDepth = 32;

    /// <summary>How one element is taken: stored (decode) or only checked (validate).</summary>
    private interface IElementSink
    {
        int Capacity { get; }

        int Read(ReadOnlySpan<byte> json, int index);
    }

    /// <summary>
    /// Decode mode: fills <paramref name="tensor"/> from <paramref name="json"/>, which starts at the array's <c>[</c>;
    /// returns the bytes up to and including the matching <c>]</c>, or -1 when the general path must decide.
    /// </summary>
    public static int TryFill(ReadOnlySpan<byte> json, InputTensor tensor)
    {
        var bytes = tensor.Bytes;
        return tensor.DataType switch
        {
            TensorDataType.Fp32 => Store(json, MemoryMarshal.Cast<byte, float>(bytes)),
            TensorDataType.Fp64 => Store(json, MemoryMarshal.Cast<byte, double>(bytes)),
            TensorDataType.Fp16 => Store(json, MemoryMarshal.Cast<byte, Half>(bytes)),
            TensorDataType.Int64 => Store(json, MemoryMarshal.Cast<byte, long>(bytes)),
            TensorDataType.Int32 => Store(json, MemoryMarshal.Cast<byte, int>(bytes)),
            TensorDataType.Int16 => Store(json, MemoryMarshal.Cast<byte, short>(bytes)),
            TensorDataType.Int8 => Store(json, MemoryMarshal.Cast<byte, sbyte>(bytes)),
            TensorDataType.UInt64 => Store(json, MemoryMarshal.Cast<byte, ulong>(bytes)),
            TensorDataType.UInt32 => Store(json, MemoryMarshal.Cast<byte, uint>(bytes)),
            TensorDataType.UInt16 => Store(json, MemoryMarshal.Cast<byte, ushort>(bytes)),
            TensorDataType.UInt8 => Store(json, bytes),
            TensorDataType.Bool => Store(json, MemoryMarshal.Cast<byte, bool>(bytes)),
            _ => -1,
        };
    }

    /// <summary>
    /// Validate mode: whether <paramref name="json"/> holds exactly <paramref name="count"/> elements that
    /// <see cref="TryFill"/> would take for <paramref name="type"/>; the same return value, nothing stored.
    /// </summary>
    public static int TryCheck(ReadOnlySpan<byte> json, TensorDataType type, int count) => type switch
    {
        TensorDataType.Fp32 => Check<float>(json, count),
        TensorDataType.Fp64 => Check<double>(json, count),
        TensorDataType.Fp16 => Check<Half>(json, count),
        TensorDataType.Int64 => Check<long>(json, count),
        TensorDataType.Int32 => Check<int>(json, count),
        TensorDataType.Int16 => Check<short>(json, count),
        TensorDataType.Int8 => Check<sbyte>(json, count),
        TensorDataType.UInt64 => Check<ulong>(json, count),
        TensorDataType.UInt32 => Check<uint>(json, count),
        TensorDataType.UInt16 => Check<ushort>(json, count),
        TensorDataType.UInt8 => Check<byte>(json, count),
        TensorDataType.Bool => Check<bool>(json, count),
        _ => -1,
    };

    private static int Store<T>(ReadOnlySpan<byte> json, Span<T> destination) where T : unmanaged
    {
        var sink = new StoreSink<T>(destination);
        return Walk(json, ref sink);
    }

    private static int Check<T>(ReadOnlySpan<byte> json, int count) where T : unmanaged
    {
        var sink = new CheckSink<T>(count);
        return Walk(json, ref sink);
    }

    /// <summary>The array grammar (RFC 8259, nesting up to <see cref="MaxDepth"/>) around the sink's elements.</summary>
    private static int Walk<TSink>(ReadOnlySpan<byte> json, ref TSink sink) where TSink : IElementSink, allows ref struct
    {
        var capacity = sink.Capacity;
        var i = 0;
        var depth = 0;
        var count = 0;
        var expectValue = true;
        var justOpened = false;
        while (true)
        {
            while (i < json.Length && json[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                i++;
            }

            if (i >= json.Length)
            {
                return -1;
            }

            var c = json[i];
            if (expectValue)
            {
                if (c == '[')
                {
                    if (++depth > MaxDepth)
                    {
                        return -1;
                    }

                    i++;
                    justOpened = true;
                    continue;
                }

                if (c == ']' && justOpened)
                {
                    i++;
                    expectValue = false;
                    justOpened = false;
                    if (--depth == 0)
                    {
                        return count == capacity ? i : -1;
                    }

                    continue;
                }

                if (depth == 0)
                {
                    return -1;
                }

                // A run of elements, "1,2,3": straight from one to the next while a comma is followed by one (not by
                // whitespace or a bracket, which the loop around takes).
                while (true)
                {
                    if (count >= capacity)
                    {
                        return -1;
                    }

                    var consumed = sink.Read(json[i..], count);
                    if (consumed <= 0)
                    {
                        return -1;
                    }

                    count++;
                    i += consumed;
                    if (i + 1 < json.Length && json[i] == ',' && json[i + 1] is > (byte)' ' and not (byte)'[' and not (byte)']')
                    {
                        i++;
                        continue;
                    }

                    break;
                }

                expectValue = false;
                justOpened = false;
                continue;
            }

            if (c == ',')
            {
                i++;
                expectValue = true;
                continue;
            }

            if (c != ']')
            {
                return -1;
            }

            i++;
            if (--depth == 0)
            {
                return count == capacity ? i : -1;
            }
        }
    }

    private ref struct StoreSink<T>(Span<T> destination) : IElementSink where T : unmanaged
    {
        private readonly Span<T> _destination = destination;

        public readonly int Capacity => _destination.Length;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly int Read(ReadOnlySpan<byte> json, int index) => JsonNumbers.ReadElement(json, out _destination[index]);
    }

    private readonly struct CheckSink<T>(int capacity) : IElementSink where T : unmanaged
    {
        public int Capacity { get; } = capacity;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Read(ReadOnlySpan<byte> json, int index) =>
            typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(Half)
                ? JsonNumbers.CheckFloat<T>(json)
                : JsonNumbers.ReadElement<T>(json, out _);
    }
}
