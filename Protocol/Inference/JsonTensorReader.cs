using System.Runtime.InteropServices;
using System.Text.Json;
using BenchPlatform.Protocol.Problems;
using BenchPlatform.Protocol.Tensors;

namespace BenchPlatform.Protocol.Inference;

/// <summary>
/// The general path for a tensor's JSON <c>data</c>: <see cref="Utf8JsonReader"/> element by element, for whatever
/// the fast path (<see cref="JsonTensorData"/>) leaves: strings, escapes, data before its datatype, and every mistake,
/// which it names.
/// </summary>
internal static class JsonTensorReader
{
    private const string Title = ProblemTitles.InvalidInferenceRequest;

    /// <summary>Decodes <paramref name="json"/> (the <c>data</c> value) into <paramref name="tensor"/>; throws naming the fault.</summary>
    public static void ReadData(ReadOnlySpan<byte> json, InputTensor tensor, string label, string field)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new BadRequestException(Title, $"{label}: \"data\" must be a JSON array of {tensor.ElementCount} elements.", field);
        }

        var bytes = tensor.DataType == TensorDataType.String ? Span<byte>.Empty : tensor.Bytes;
        var count = tensor.DataType switch
        {
            TensorDataType.Bool => Fill(ref reader, field, MemoryMarshal.Cast<byte, bool>(bytes), tensor, label),
            TensorDataType.UInt8 => Fill(ref reader, field, bytes, tensor, label),
            TensorDataType.Int8 => Fill(ref reader, field, MemoryMarshal.Cast<byte, sbyte>(bytes), tensor, label),
            TensorDataType.UInt16 => Fill(ref reader, field, MemoryMarshal.Cast<byte, ushort>(bytes), tensor, label),
            TensorDataType.Int16 => Fill(ref reader, field, MemoryMarshal.Cast<byte, short>(bytes), tensor, label),
            TensorDataType.UInt32 => Fill(ref reader, field, MemoryMarshal.Cast<byte, uint>(bytes), tensor, label),
            TensorDataType.Int32 => Fill(ref reader, field, MemoryMarshal.Cast<byte, int>(bytes), tensor, label),
            TensorDataType.UInt64 => Fill(ref reader, field, MemoryMarshal.Cast<byte, ulong>(bytes), tensor, label),
            TensorDataType.Int64 => Fill(ref reader, field, MemoryMarshal.Cast<byte, long>(bytes), tensor, label),
            TensorDataType.Fp16 => Fill(ref reader, field, MemoryMarshal.Cast<byte, Half>(bytes), tensor, label),
            TensorDataType.Fp32 => Fill(ref reader, field, MemoryMarshal.Cast<byte, float>(bytes), tensor, label),
            TensorDataType.Fp64 => Fill(ref reader, field, MemoryMarshal.Cast<byte, double>(bytes), tensor, label),
            _ => FillStrings(ref reader, field, tensor.Strings!, label),
        };

        if (count != tensor.ElementCount)
        {
            throw new BadRequestException(Title,
                $"{label} has {count} values in \"data\" but shape [{string.Join(", ", tensor.Shape)}] needs {tensor.ElementCount}.", field);
        }
    }

    private static int Fill<T>(ref Utf8JsonReader reader, string field, Span<T> destination, InputTensor tensor, string label) where T : unmanaged
    {
        var depth = 1;
        var i = 0;
        while (depth > 0 && reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    depth++;
                    continue;
                case JsonTokenType.EndArray:
                    depth--;
                    continue;
            }

            if (i >= destination.Length)
            {
                i++;
                continue;
            }

            if (!TryReadElement(ref reader, out destination[i]))
            {
                var type = TensorDataTypes.Name(tensor.DataType);
                throw new BadRequestException(Title, reader.TokenType == JsonTokenType.Number && FloatRange.Limit(tensor.DataType) is { } limit
                    ? $"Element {i} of {label} is {Describe(ref reader)}, outside the {type} range (±{limit}); send a finite value within it."
                    : $"Element {i} of {label} is not a valid {type} value ({Describe(ref reader)}).", field);
            }

            i++;
        }

        return i;
    }

    private static bool TryReadElement<T>(ref Utf8JsonReader reader, out T value) where T : unmanaged
    {
        value = default;
        if (typeof(T) == typeof(bool))
        {
            if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
            {
                return false;
            }

            var b = reader.TokenType == JsonTokenType.True;
            value = (T)(object)b;
            return true;
        }

        if (typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(Half))
        {
            double d;
            if (reader.TokenType == JsonTokenType.Number)
            {
                if (!reader.TryGetDouble(out d))
                {
                    return false;
                }
            }
            else if (reader.TokenType != JsonTokenType.String || !TryNamedFloat(ref reader, out d))
            {
                return false;
            }

            return FloatRange.TryNarrow(d, named: reader.TokenType == JsonTokenType.String, out value);
        }

        if (reader.TokenType != JsonTokenType.Number)
        {
            return false;
        }

        bool ok;
        if (typeof(T) == typeof(long))
        {
            ok = reader.TryGetInt64(out var v);
            value = (T)(object)v;
        }
        else if (typeof(T) == typeof(int))
        {
            ok = reader.TryGetInt32(out var v);
            value = (T)(object)v;
        }
        else if (typeof(T) == typeof(short))
        {
            ok = reader.TryGetInt16(out var v);
            value = (T)(object)v;
        }
        else if (typeof(T) == typeof(sbyte))
        {
            ok = reader.TryGetSByte(out var v);
            value = (T)(object)v;
        }
        else if (typeof(T) == typeof(byte))
        {
            ok = reader.TryGetByte(out var v);
            value = (T)(object)v;
        }
        else if (typeof(T) == typeof(ushort))
        {
            ok = reader.TryGetUInt16(out var v);
            value = (T)(object)v;
        }
        else if (typeof(T) == typeof(uint))
        {
            ok = reader.TryGetUInt32(out var v);
            value = (T)(object)v;
        }
        else
        {
            ok = reader.TryGetUInt64(out var v);
            value = (T)(object)v;
        }

        return ok;
    }

    private static bool TryNamedFloat(ref Utf8JsonReader reader, out double value)
    {
        if (reader.ValueTextEquals("NaN"u8))
        {
            value = double.NaN;
            return true;
        }

        if (reader.ValueTextEquals("Infinity"u8))
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (reader.ValueTextEquals("-Infinity"u8))
        {
            value = double.NegativeInfinity;
            return true;
        }

        value = 0;
        return false;
    }

    private static int FillStrings(ref Utf8JsonReader reader, string field, string[] destination, string label)
    {
        var depth = 1;
        var i = 0;
        while (depth > 0 && reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    depth++;
                    continue;
                case JsonTokenType.EndArray:
                    depth--;
                    continue;
                case JsonTokenType.String:
                    if (i < destination.Length)
                    {
                        destination[i] = reader.GetString()!;
                    }

                    i++;
                    continue;
                default:
                    throw new BadRequestException(Title, $"Element {i} of {label} is not a string ({Describe(ref reader)}); STRING data is an array of JSON strings.", field);
            }
        }

        return i;
    }

    /// <summary>The current token as a message names it.</summary>
    public static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => "a string \"" + reader.GetString() + "\"",
        JsonTokenType.Number => "the number " + System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => reader.TokenType.ToString(),
    };
}
