// Baseline for the benchmarks: a copy, kept as it was, of the code the Protocol reader replaced (commit 7581181).
using System.Runtime.InteropServices;
using System.Text.Json;
using BenchPlatform.Protocol.Inference;
using BenchPlatform.Protocol.Problems;
using BenchPlatform.Protocol.Tensors;

namespace BenchPlatform.Bench.ProtocolReader.Baseline;

internal static partial class OldInferRequestReader
{
    /// <summary>The fast data path when the datatype and shape came before <c>data</c> and are valid; false leaves it to the general path.</summary>
    private static bool TryFillFast(ReadOnlySpan<byte> json, string? datatype, long[]? shape, out InputTensor? tensor, out int length)
    {
        tensor = null;
        length = -1;
        if (datatype is null || shape is null)
        {
            return false;
        }

        var type = TensorDataTypes.Parse(datatype);
        if (type is TensorDataType.Unknown or TensorDataType.String)
        {
            return false;
        }

        long count = 1;
        foreach (var dim in shape)
        {
            count *= dim;
            if (dim == 0 || count > int.MaxValue / 8)
            {
                return false;
            }
        }

        // The name is set once the whole input object is read (it may come after "data").
        tensor = new InputTensor(string.Empty, type, shape, (int)count);
        length = OldJsonTensorData.TryFill(json, tensor);
        if (length > 0)
        {
            return true;
        }

        tensor.Dispose();
        tensor = null;
        return false;
    }

    private static InputTensor Named(InputTensor tensor, string? name, string label)
    {
        if (name is null)
        {
            tensor.Dispose();
            throw new BadRequestException(Title, $"{label} has no \"name\".");
        }

        return tensor.WithName(name);
    }

    private static void Discard(ref InputTensor? tensor)
    {
        tensor?.Dispose();
        tensor = null;
    }

    /// <summary>An input's <c>parameters</c>: returns <c>binary_data_size</c>, or -1 when absent.</summary>
    private static long ReadInputParameters(ref Utf8JsonReader reader, int index)
    {
        Expect(ref reader, JsonTokenType.StartObject, $"inputs[{index}].parameters must be an object such as {{\"binary_data_size\": 3136}}.");
        long size = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSize = reader.ValueTextEquals("binary_data_size"u8);
            reader.Read();
            if (!isSize)
            {
                reader.Skip();
                continue;
            }

            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out size) || size < 0 || size > int.MaxValue)
            {
                throw new BadRequestException(Title,
                    $"inputs[{index}].parameters.binary_data_size must be a non-negative integer byte count of its binary data (at most {int.MaxValue}).");
            }
        }

        return size;
    }

    private static long[] ReadShape(ref Utf8JsonReader reader, int index)
    {
        Expect(ref reader, JsonTokenType.StartArray, $"inputs[{index}].shape must be an array of dimensions, e.g. [1, 4].");
        Span<long> dims = stackalloc long[16];
        var rank = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0)
            {
                throw new BadRequestException(Title, $"inputs[{index}].shape must hold non-negative integers.");
            }

            if (rank == dims.Length)
            {
                throw new BadRequestException(Title, $"inputs[{index}].shape has more than {dims.Length} dimensions.");
            }

            dims[rank++] = dim;
        }

        return dims[..rank].ToArray();
    }

    private static void ReadData(ReadOnlySpan<byte> json, InputTensor tensor, string label)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new BadRequestException(Title, $"{label}: \"data\" must be a JSON array of {tensor.ElementCount} elements.");
        }

        var bytes = tensor.DataType == TensorDataType.String ? Span<byte>.Empty : tensor.Bytes;
        var count = tensor.DataType switch
        {
            TensorDataType.Bool => Fill(ref reader, MemoryMarshal.Cast<byte, bool>(bytes), tensor, label),
            TensorDataType.UInt8 => Fill(ref reader, bytes, tensor, label),
            TensorDataType.Int8 => Fill(ref reader, MemoryMarshal.Cast<byte, sbyte>(bytes), tensor, label),
            TensorDataType.UInt16 => Fill(ref reader, MemoryMarshal.Cast<byte, ushort>(bytes), tensor, label),
            TensorDataType.Int16 => Fill(ref reader, MemoryMarshal.Cast<byte, short>(bytes), tensor, label),
            TensorDataType.UInt32 => Fill(ref reader, MemoryMarshal.Cast<byte, uint>(bytes), tensor, label),
            TensorDataType.Int32 => Fill(ref reader, MemoryMarshal.Cast<byte, int>(bytes), tensor, label),
            TensorDataType.UInt64 => Fill(ref reader, MemoryMarshal.Cast<byte, ulong>(bytes), tensor, label),
            TensorDataType.Int64 => Fill(ref reader, MemoryMarshal.Cast<byte, long>(bytes), tensor, label),
            TensorDataType.Fp16 => Fill(ref reader, MemoryMarshal.Cast<byte, Half>(bytes), tensor, label),
            TensorDataType.Fp32 => Fill(ref reader, MemoryMarshal.Cast<byte, float>(bytes), tensor, label),
            TensorDataType.Fp64 => Fill(ref reader, MemoryMarshal.Cast<byte, double>(bytes), tensor, label),
            _ => FillStrings(ref reader, tensor.Strings!, label),
        };

        if (count != tensor.ElementCount)
        {
            throw new BadRequestException(Title,
                $"{label} has {count} values in \"data\" but shape [{string.Join(", ", tensor.Shape)}] needs {tensor.ElementCount}.");
        }
    }

    private static int Fill<T>(ref Utf8JsonReader reader, Span<T> destination, InputTensor tensor, string label) where T : unmanaged
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
                    : $"Element {i} of {label} is not a valid {type} value ({Describe(ref reader)}).");
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

    private static int FillStrings(ref Utf8JsonReader reader, string[] destination, string label)
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
                    throw new BadRequestException(Title, $"Element {i} of {label} is not a string ({Describe(ref reader)}); STRING data is an array of JSON strings.");
            }
        }

        return i;
    }

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => "a string \"" + reader.GetString() + "\"",
        JsonTokenType.Number => "the number " + System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => reader.TokenType.ToString(),
    };

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string detail)
    {
        if (reader.TokenType != type)
        {
            throw new BadRequestException(Title, detail);
        }
    }

    private static void Dispose(List<InputTensor> inputs)
    {
        foreach (var input in inputs)
        {
            input.Dispose();
        }
    }
}
