using System.Globalization;
using System.Runtime.CompilerServices;

namespace BenchPlatform.Protocol.Inference;

/// <summary>
/// One JSON element of a tensor's <c>data</c>, read straight from its bytes: the strict subset the fast path takes
/// (<see cref="JsonTensorData"/>). Decimals of up to 19 digits with a small exponent are converted exactly
/// (Clinger's fast path: an exact integer times or divided by an exact power of ten, one correctly rounded operation),
/// so every element equals what <see cref="System.Text.Json.Utf8JsonReader"/> gives. Each method returns the bytes the
/// element takes, or -1 when the general path must decide.
/// </summary>
internal static class JsonNumbers
{
    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// Whether a float element is one <see cref="ReadElement{T}"/> accepts, without converting it when its decimal
    /// magnitude is certainly inside <typeparamref name="T"/>'s range (the gateway's validate mode needs no value).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CheckFloat<T>(ReadOnlySpan<byte> json) where T : unmanaged
    {
        if (json[0] == '"')
        {
            return ReadNamedFloat(json, out _);
        }

        var i = json[0] == '-' ? 1 : 0;
        var intStart = i;
        while (i < json.Length && char.IsAsciiDigit((char)json[i]))
        {
            i++;
        }

        var intDigits = i - intStart;
        if (intDigits == 0 || (intDigits > 1 && json[intStart] == '0'))
        {
            return -1;
        }

        // The value is below 10^order × 10^exponent.
        var order = json[intStart] == '0' ? 1 : intDigits;
        if (i < json.Length && json[i] == '.')
        {
            var fractionStart = ++i;
            while (i < json.Length && char.IsAsciiDigit((char)json[i]))
            {
                i++;
            }

            if (i == fractionStart)
            {
                return -1;
            }
        }

        if (!TryReadExponent(json, ref i, out var exponent))
        {
            return -1;
        }

        // Below 10^4, 10^38 and 10^308 every value is finite in FP16, FP32 and FP64; nearer the limit, convert as decode does.
        var limit = typeof(T) == typeof(Half) ? 4 : typeof(T) == typeof(float) ? 38 : 308;
        return order + exponent <= limit ? i : ReadElement<T>(json, out _);
    }

    public static int ReadElement<T>(ReadOnlySpan<byte> json, out T value) where T : unmanaged
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

        // Every digit goes into the mantissa (leading zeros add nothing to it); past 19 digits it may wrap, and then
        // the digit count sends the number to the runtime's parser below.
        ulong mantissa = 0;
        var intStart = i;
        uint digit;
        while (i < json.Length && (digit = (uint)(json[i] - '0')) <= 9)
        {
            mantissa = (mantissa * 10) + digit;
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
            while (i < json.Length && (digit = (uint)(json[i] - '0')) <= 9)
            {
                mantissa = (mantissa * 10) + digit;
                i++;
            }

            fractionDigits = i - fractionStart;
            if (fractionDigits == 0)
            {
                return -1;
            }
        }

        if (!TryReadExponent(json, ref i, out var exponent))
        {
            return -1;
        }

        var scale = exponent - fractionDigits;
        if (intDigits + fractionDigits <= 19 && mantissa <= (1UL << 53) && scale is >= -22 and <= 22)
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

    private static int ReadNamedFloat(ReadOnlySpan<byte> json, out double value)
    {
        value = 0;
        if (json.StartsWith("\"NaN\""u8))
        {
            value = double.NaN;
            return 5;
        }

        if (json.StartsWith("\"Infinity\""u8))
        {
            value = double.PositiveInfinity;
            return 10;
        }

        if (json.StartsWith("\"-Infinity\""u8))
        {
            value = double.NegativeInfinity;
            return 11;
        }

        return -1;
    }

    /// <summary>
    /// Reads the exponent part (<c>e</c>, <c>E</c>, a sign, digits) at <paramref name="i"/>, if there is one, and moves
    /// past it; 0 when there is none. False for an <c>e</c> without digits. A huge exponent saturates at about 10^5.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadExponent(ReadOnlySpan<byte> json, ref int i, out int exponent)
    {
        exponent = 0;
        if (i >= json.Length || json[i] is not ((byte)'e' or (byte)'E'))
        {
            return true;
        }

        i++;
        var negative = false;
        if (i < json.Length && json[i] is (byte)'+' or (byte)'-')
        {
            negative = json[i] == '-';
            i++;
        }

        var start = i;
        while (i < json.Length && char.IsAsciiDigit((char)json[i]))
        {
            if (exponent < 100_000)
            {
                exponent = (exponent * 10) + (json[i] - '0');
            }

            i++;
        }

        if (negative)
        {
            exponent = -exponent;
        }

        return i > start;
    }
}
