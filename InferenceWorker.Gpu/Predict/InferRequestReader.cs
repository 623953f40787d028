using System.Runtime.InteropServices;
using System.Text.Json;

namespace BenchPlatform.InferenceWorker.Predict;

/// <summary>
/// Decodes an Open Inference Protocol v2 JSON request with <see cref="Utf8JsonReader"/> straight into typed,
/// pooled buffers. <c>data</c> may be flat (row-major) or nested; it may come before or after <c>datatype</c>.
/// </summary>
public static class InferRequestReader
{
    private const string Title = "Invalid inference request";

    /// <summary>Decodes <paramref name="body"/>; throws <see cref="BadRequestException"/> naming what is wrong.</summary>
    public static InferRequest Read(ReadOnlySpan<byte> body)
    {
        var inputs = new List<InputTensor>();
        try
        {
            return ReadCore(body, inputs);
        }
        catch (JsonException ex)
        {
            Dispose(inputs);
            throw new BadRequestException(Title, $"The body is not valid JSON ({ex.Message}); NaN and Infinity are not JSON numbers: send them as the strings \"NaN\", \"Infinity\", \"-Infinity\".");
        }
        catch
        {
            Dispose(inputs);
            throw;
        }
    }

    private static InferRequest ReadCore(ReadOnlySpan<byte> body, List<InputTensor> inputs)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new BadRequestException(Title, "The body must be a JSON object: {\"inputs\":[{\"name\",\"shape\",\"datatype\",\"data\"}]}.");
        }

        string? id = null;
        List<string>? outputs = null;
        var useCache = true;
        var sawInputs = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new BadRequestException(Title, "\"id\" must be a string.");
            }
            else if (reader.ValueTextEquals("inputs"u8))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartArray, "\"inputs\" must be an array of tensors.");
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    inputs.Add(ReadInput(ref reader, body, inputs.Count));
                }

                sawInputs = true;
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartArray, "\"outputs\" must be an array of {\"name\": …}.");
                outputs = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    outputs.Add(ReadOutputName(ref reader));
                }
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartObject, "\"parameters\" must be an object.");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isCache = reader.ValueTextEquals("cache"u8);
                    reader.Read();
                    if (isCache)
                    {
                        useCache = reader.TokenType switch
                        {
                            JsonTokenType.True => true,
                            JsonTokenType.False => false,
                            _ => throw new BadRequestException(Title, "\"parameters.cache\" must be true or false."),
                        };
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!sawInputs || inputs.Count == 0)
        {
            throw new BadRequestException(Title, "The request has no \"inputs\"; send at least one tensor {\"name\",\"shape\",\"datatype\",\"data\"}.");
        }

        return new InferRequest { Id = id, Inputs = inputs, Outputs = outputs, UseCache = useCache };
    }

    private static string ReadOutputName(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "Each entry of \"outputs\" must be an object {\"name\": …}.");
        string? name = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isName = reader.ValueTextEquals("name"u8);
            reader.Read();
            if (isName && reader.TokenType == JsonTokenType.String)
            {
                name = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return name ?? throw new BadRequestException(Title, "An entry of \"outputs\" has no \"name\".");
    }

    private static InputTensor ReadInput(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, int index)
    {
        Expect(ref reader, JsonTokenType.StartObject, $"inputs[{index}] must be an object {{\"name\",\"shape\",\"datatype\",\"data\"}}.");
        string? name = null;
        string? datatype = null;
        long[]? shape = null;
        int dataStart = -1, dataEnd = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new BadRequestException(Title, $"inputs[{index}].name must be a string.");
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                reader.Read();
                datatype = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new BadRequestException(Title, $"inputs[{index}].datatype must be a string such as \"FP32\".");
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                reader.Read();
                shape = ReadShape(ref reader, index);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                dataStart = (int)reader.TokenStartIndex;
                reader.Skip();
                dataEnd = (int)reader.BytesConsumed;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        var label = name is null ? $"inputs[{index}]" : $"input '{name}'";
        if (name is null)
        {
            throw new BadRequestException(Title, $"{label} has no \"name\".");
        }

        if (datatype is null)
        {
            throw new BadRequestException(Title, $"{label} has no \"datatype\"; use one of BOOL, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FP16, FP32, FP64, STRING.");
        }

        var type = TensorDataTypes.Parse(datatype);
        if (type == TensorDataType.Unknown)
        {
            throw new BadRequestException(Title, $"{label} has datatype '{datatype}', which is not one of BOOL, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FP16, FP32, FP64, STRING.");
        }

        if (shape is null)
        {
            throw new BadRequestException(Title, $"{label} has no \"shape\"; give its dimensions, e.g. [1, 4] ([] for a scalar).");
        }

        if (dataStart < 0)
        {
            throw new BadRequestException(Title, $"{label} has no \"data\"; give its elements row-major as a JSON array.");
        }

        long count = 1;
        foreach (var dim in shape)
        {
            if (dim == 0)
            {
                throw new BadRequestException(Title, $"{label} has a 0-size dimension in shape [{string.Join(", ", shape)}]; every dimension must be at least 1.");
            }

            count *= dim;
            if (count > int.MaxValue / 8)
            {
                throw new BadRequestException(Title, $"{label} has shape [{string.Join(", ", shape)}], more elements than one request may carry.");
            }
        }

        var tensor = new InputTensor(name, type, shape, (int)count);
        try
        {
            ReadData(body[dataStart..dataEnd], tensor, label);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
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
                throw new BadRequestException(Title,
                    $"Element {i} of {label} is not a valid {TensorDataTypes.Name(tensor.DataType)} value ({Describe(ref reader)}).");
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

            if (typeof(T) == typeof(float))
            {
                var f = (float)d;
                value = (T)(object)f;
            }
            else if (typeof(T) == typeof(double))
            {
                value = (T)(object)d;
            }
            else
            {
                var h = (Half)d;
                value = (T)(object)h;
            }

            return true;
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
