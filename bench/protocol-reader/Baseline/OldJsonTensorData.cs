// Baseline for the benchmarks: a copy, kept as it was, of the code the Protocol reader replaced (commit 7581181).
using System.Globalization;
using System.Runtime.InteropServices;
using BenchPlatform.Protocol.Inference;
using BenchPlatform.Protocol.Tensors;

namespace BenchPlatform.Bench.ProtocolReader.Baseline;

/// <summary>
/// The fast path for a tensor's JSON <c>data</c>: one pass over the bytes of a (possibly nested) array of numbers,
/// booleans or the float names <c>"NaN"</c>/<c>"Infinity"</c>/<c>"-Infinity"</c>, straight into the tensor's pooled
/// buffer. Decimals of up to 19 significant digits with a small exponent are converted exactly (Clinger's fast path:
/// an exact integer times or divided by an exact power of ten, one correctly rounded operation), so every element
/// equals what <see cref="System.Text.Json.Utf8JsonReader"/> gives. Anything outside this strict subset (escapes,
/// out-of-range values, a count that does not match, malformed JSON) answers -1 and the caller takes the general
/// path, which names the fault.
/// </summary>
internal static partial class OldJsonTensorData
{
    private const int MaxDepth = 32;

    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// Fills <paramref name="tensor"/> from <paramref name="json"/>, which starts at the array's <c>[</c>; returns the
    /// bytes up to and including the matching <c>]</c>, or -1 when the general path must decide.
    /// </summary>
    public static int TryFill(ReadOnlySpan<byte> json, InputTensor tensor)
    {
        var bytes = tensor.Bytes;
        return tensor.DataType switch
        {
            TensorDataType.Fp32 => Fill(json, MemoryMarshal.Cast<byte, float>(bytes)),
            TensorDataType.Fp64 => Fill(json, MemoryMarshal.Cast<byte, double>(bytes)),
            TensorDataType.Fp16 => Fill(json, MemoryMarshal.Cast<byte, Half>(bytes)),
            TensorDataType.Int64 => Fill(json, MemoryMarshal.Cast<byte, long>(bytes)),
            TensorDataType.Int32 => Fill(json, MemoryMarshal.Cast<byte, int>(bytes)),
            TensorDataType.Int16 => Fill(json, MemoryMarshal.Cast<byte, short>(bytes)),
            TensorDataType.Int8 => Fill(json, MemoryMarshal.Cast<byte, sbyte>(bytes)),
            TensorDataType.UInt64 => Fill(json, MemoryMarshal.Cast<byte, ulong>(bytes)),
            TensorDataType.UInt32 => Fill(json, MemoryMarshal.Cast<byte, uint>(bytes)),
            TensorDataType.UInt16 => Fill(json, MemoryMarshal.Cast<byte, ushort>(bytes)),
            TensorDataType.UInt8 => Fill(json, bytes),
            TensorDataType.Bool => Fill(json, MemoryMarshal.Cast<byte, bool>(bytes)),
            _ => -1,
        };
    }

    private static int Fill<T>(ReadOnlySpan<byte> json, Span<T> destination) where T : unmanaged
    {
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
                        return count == destination.Length ? i : -1;
                    }

                    continue;
                }

                if (depth == 0 || count >= destination.Length)
                {
                    return -1;
                }

                var consumed = ReadElement(json[i..], out destination[count]);
                if (consumed <= 0)
                {
                    return -1;
                }

                count++;
                i += consumed;
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
                return count == destination.Length ? i : -1;
            }
        }
    }

    private static int ReadElement<T>(ReadOnlySpan<byte> json, out T value) where T : unmanaged
    {
        value = default;
        if (typeof(T) == typeof(bool))
        {
            if (json.StartsWith("true"u8))
            {
                value = (T)(object)true;
                return 4;
            }

            if (json.StartsWith("false"u8))
            {
                value = (T)(object)false;
                return 5;
            }

            return -1;
        }

        if (typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(Half))
        {
            var named = json[0] == '"';
            var consumed = named ? ReadNamedFloat(json, out var d) : ReadDouble(json, out d);
            if (consumed > 0 && !FloatRange.TryNarrow(d, named, out value))
            {
                return -1; // out of the datatype's range: the general path names it
            }

            return consumed;
        }

        var length = ReadInteger(json, out var negative, out var magnitude);
        if (length <= 0)
        {
            return -1;
        }

        // Signed range check on the magnitude; unsigned types take no minus sign (the general path decides "-0").
        if (typeof(T) == typeof(long))
        {
            if (magnitude > (negative ? 1UL << 63 : long.MaxValue))
            {
                return -1;
            }

            value = (T)(object)(negative ? (long)(0 - magnitude) : (long)magnitude);
        }
        else if (typeof(T) == typeof(int))
        {
            if (magnitude > (negative ? 1UL << 31 : int.MaxValue))
            {
                return -1;
            }

            value = (T)(object)(int)(negative ? -(long)magnitude : (long)magnitude);
        }
        else if (typeof(T) == typeof(short))
        {
            if (magnitude > (negative ? 1UL << 15 : (ulong)short.MaxValue))
            {
                return -1;
            }

            value = (T)(object)(short)(negative ? -(long)magnitude : (long)magnitude);
        }
        else if (typeof(T) == typeof(sbyte))
        {
            if (magnitude > (negative ? 1UL << 7 : (ulong)sbyte.MaxValue))
            {
                return -1;
            }

            value = (T)(object)(sbyte)(negative ? -(long)magnitude : (long)magnitude);
        }
        else
        {
            if (negative)
            {
                return -1;
            }

            if (typeof(T) == typeof(ulong))
            {
                value = (T)(object)magnitude;
            }
            else if (typeof(T) == typeof(uint))
            {
                if (magnitude > uint.MaxValue)
                {
                    return -1;
                }

                value = (T)(object)(uint)magnitude;
            }
            else if (typeof(T) == typeof(ushort))
            {
                if (magnitude > ushort.MaxValue)
                {
                    return -1;
                }

                value = (T)(object)(ushort)magnitude;
            }
            else
            {
                if (magnitude > byte.MaxValue)
                {
                    return -1;
                }

                value = (T)(object)(byte)magnitude;
            }
        }

        return length;
    }

    /// <summary>A JSON integer (no fraction, no exponent) of at most 19 digits; -1 otherwise.</summary>
    private static int ReadInteger(ReadOnlySpan<byte> json, out bool negative, out ulong magnitude)
    {
        magnitude = 0;
        var i = 0;
        negative = json[0] == '-';
        if (negative)
        {
            i++;
        }

        var start = i;
        while (i < json.Length && char.IsAsciiDigit((char)json[i]))
        {
            magnitude = (magnitude * 10) + (uint)(json[i] - '0');
            i++;
        }

        var digits = i - start;
        if (digits == 0 || digits > 19 || (digits > 1 && json[start] == '0'))
        {
            return -1;
        }

        // A fraction or exponent is not an integer: the general path reports it.
        if (i < json.Length && json[i] is (byte)'.' or (byte)'e' or (byte)'E')
        {
            return -1;
        }

        return i;
    }

    /// <summary>A JSON number as the nearest double (the value <c>Utf8JsonReader.TryGetDouble</c> gives); -1 when it is not one or overflows.</summary>
    private static int ReadDouble(ReadOnlySpan<byte> json, out double value)
    {
        value = 0;
        var i = 0;
        var negative = json[0] == '-';
        if (negative)
        {
            i++;
        }

        ulong mantissa = 0;
        var significant = 0;
        var intStart = i;
        while (i < json.Length && char.IsAsciiDigit((char)json[i]))
        {
            Accumulate(json[i], ref mantissa, ref significant);
            i++;
        }

        var intDigits = i - intStart;
        if (intDigits == 0 || (intDigits > 1 && json[intStart] == '0'))
        {
            return -1;
        }

        var fractionDigits = 0;
        if (i < json.Length && json[i] == '.')
        {
            i++;
            var fractionStart = i;
            while (i < json.Length && char.IsAsciiDigit((char)json[i]))
            {
                Accumulate(json[i], ref mantissa, ref significant);
                i++;
            }

            fractionDigits = i - fractionStart;
            if (fractionDigits == 0)
            {
                return -1;
            }
        }

        var exponent = 0;
        if (i < json.Length && json[i] is (byte)'e' or (byte)'E')
        {
            i++;
            var exponentNegative = false;
            if (i < json.Length && json[i] is (byte)'+' or (byte)'-')
            {
                exponentNegative = json[i] == '-';
                i++;
            }

            var exponentStart = i;
            while (i < json.Length && char.IsAsciiDigit((char)json[i]))
            {
                if (exponent < 100_000)
                {
                    exponent = (exponent * 10) + (json[i] - '0');
                }

                i++;
            }

            if (i == exponentStart)
            {
                return -1;
            }

            if (exponentNegative)
            {
                exponent = -exponent;
            }
        }

        var scale = exponent - fractionDigits;
        if (significant <= 19 && mantissa <= (1UL << 53) && scale is >= -22 and <= 22)
        {
            double d = mantissa;
            d = scale < 0 ? d / PowersOfTen[-scale] : d * PowersOfTen[scale];
            value = negative ? -d : d;
            return i;
        }

        // Long or extreme numbers: the runtime's correctly rounded parser, as Utf8JsonReader uses.
        if (!double.TryParse(json[..i], NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return -1;
        }

        return double.IsFinite(value) ? i : -1;
    }
}
