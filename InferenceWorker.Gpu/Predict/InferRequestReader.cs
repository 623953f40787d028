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

    /// <summary>
    /// Decodes <paramref name="body"/>; throws <see cref="BadRequestException"/> naming what is wrong. With
    /// <paramref name="jsonLength"/> (the <c>Inference-Header-Content-Length</c> header of the binary tensor data
    /// extension) only that many leading bytes are JSON; the rest holds, in input order, the raw elements of every
    /// input whose <c>parameters.binary_data_size</c> is set.
    /// </summary>
    public static InferRequest Read(ReadOnlySpan<byte> body, int? jsonLength = null) => Read(body, jsonLength, fastData: true);

    /// <summary>As <see cref="Read(ReadOnlySpan{byte}, int?)"/>; <paramref name="fastData"/> false forces the general data path (tests compare both).</summary>
    internal static InferRequest Read(ReadOnlySpan<byte> body, int? jsonLength, bool fastData)
    {
        var inputs = new List<InputTensor>();
        try
        {
            if (jsonLength is { } length)
            {
                if (length < 1 || length > body.Length)
                {
                    throw new BadRequestException(Title,
                        $"Inference-Header-Content-Length is {length} but the body has {body.Length} bytes; it must count the JSON part only, between 1 and the body length.");
                }

                return ReadCore(body[..length], body[length..], inputs, fastData);
            }

            return ReadCore(body, ReadOnlySpan<byte>.Empty, inputs, fastData);
        }
        catch (JsonException) when (fastData)
        {
            // After a fast-decoded array the reader's positions count from that array's end: decode again on the
            // general path so the error names the true line and byte position.
            Dispose(inputs);
            return Read(body, jsonLength, fastData: false);
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

    private static InferRequest ReadCore(ReadOnlySpan<byte> body, ReadOnlySpan<byte> binary, List<InputTensor> inputs, bool fastData)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        var offset = 0;
        var binaryUsed = 0;
        var binaryOutput = false;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new BadRequestException(Title, "The body must be a JSON object: {\"inputs\":[{\"name\",\"shape\",\"datatype\",\"data\"}]}.");
        }

        string? id = null;
        List<string>? outputs = null;
        List<string>? binaryOutputs = null;
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
                    inputs.Add(ReadInput(ref reader, body, ref offset, inputs.Count, fastData, binary, ref binaryUsed));
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
                    outputs.Add(ReadOutput(ref reader, ref binaryOutputs));
                }
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartObject, "\"parameters\" must be an object.");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isCache = reader.ValueTextEquals("cache"u8);
                    var isBinaryOutput = reader.ValueTextEquals("binary_data_output"u8);
                    reader.Read();
                    if (isCache)
                    {
                        useCache = Boolean(ref reader, "\"parameters.cache\" must be true or false.");
                    }
                    else if (isBinaryOutput)
                    {
                        binaryOutput = Boolean(ref reader, "\"parameters.binary_data_output\" must be true or false.");
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

        if (binaryUsed != binary.Length)
        {
            throw new BadRequestException(Title,
                $"The body has {binary.Length} bytes after the {body.Length}-byte JSON header but the inputs' binary_data_size add up to {binaryUsed}; they must match exactly.");
        }

        return new InferRequest
        {
            Id = id, Inputs = inputs, Outputs = outputs, UseCache = useCache, BinaryOutput = binaryOutput, BinaryOutputs = binaryOutputs,
        };
    }

    private static bool Boolean(ref Utf8JsonReader reader, string detail) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new BadRequestException(Title, detail),
    };

    private static string ReadOutput(ref Utf8JsonReader reader, ref List<string>? binaryOutputs)
    {
        Expect(ref reader, JsonTokenType.StartObject, "Each entry of \"outputs\" must be an object {\"name\": …}.");
        string? name = null;
        var binary = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    name = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartObject, "An output's \"parameters\" must be an object such as {\"binary_data\": true}.");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isBinary = reader.ValueTextEquals("binary_data"u8);
                    reader.Read();
                    if (isBinary)
                    {
                        binary = Boolean(ref reader, "An output's \"parameters.binary_data\" must be true or false.");
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

        if (name is null)
        {
            throw new BadRequestException(Title, "An entry of \"outputs\" has no \"name\".");
        }

        if (binary)
        {
            (binaryOutputs ??= []).Add(name);
        }

        return name;
    }

    private static InputTensor ReadInput(
        ref Utf8JsonReader reader, ReadOnlySpan<byte> body, ref int offset, int index, bool fastData, ReadOnlySpan<byte> binary, ref int binaryUsed)
    {
        Expect(ref reader, JsonTokenType.StartObject, $"inputs[{index}] must be an object {{\"name\",\"shape\",\"datatype\",\"data\"}}.");
        string? name = null;
        string? datatype = null;
        long[]? shape = null;
        long binarySize = -1;
        int dataStart = -1, dataEnd = -1;
        InputTensor? filled = null;
        try
        {
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
                    Discard(ref filled);
                }
                else if (reader.ValueTextEquals("shape"u8))
                {
                    reader.Read();
                    shape = ReadShape(ref reader, index);
                    Discard(ref filled);
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    dataStart = offset + (int)reader.TokenStartIndex;
                    Discard(ref filled);
                    if (fastData && reader.TokenType == JsonTokenType.StartArray && TryFillFast(body[dataStart..], datatype, shape, out filled, out var length))
                    {
                        // The array is decoded; resume the structural reader at its closing bracket.
                        var state = reader.CurrentState;
                        offset = dataStart + length - 1;
                        reader = new Utf8JsonReader(body[offset..], isFinalBlock: true, state);
                        reader.Read();
                        dataEnd = dataStart + length;
                    }
                    else
                    {
                        reader.Skip();
                        dataEnd = offset + (int)reader.BytesConsumed;
                    }
                }
                else if (reader.ValueTextEquals("parameters"u8))
                {
                    reader.Read();
                    binarySize = ReadInputParameters(ref reader, index);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch
        {
            filled?.Dispose();
            throw;
        }

        var label = name is null ? $"inputs[{index}]" : $"input '{name}'";
        if (filled is not null && binarySize < 0)
        {
            return Named(filled, name, label);
        }

        filled?.Dispose();
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

        if (binarySize >= 0 && dataStart >= 0)
        {
            throw new BadRequestException(Title, $"{label} has both \"data\" and parameters.binary_data_size; send its elements one way, not both.");
        }

        if (dataStart < 0 && binarySize < 0)
        {
            throw new BadRequestException(Title, $"{label} has no \"data\"; give its elements row-major as a JSON array (or as binary: parameters.binary_data_size with the Inference-Header-Content-Length header).");
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
            if (binarySize >= 0)
            {
                if (binarySize > binary.Length - binaryUsed)
                {
                    throw new BadRequestException(Title,
                        $"{label} has binary_data_size {binarySize} but only {binary.Length - binaryUsed} binary bytes are left after the JSON header (Inference-Header-Content-Length) and the inputs before it.");
                }

                BinaryTensorData.Read(binary.Slice(binaryUsed, (int)binarySize), tensor, label);
                binaryUsed += (int)binarySize;
            }
            else
            {
                ReadData(body[dataStart..dataEnd], tensor, label);
            }

            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

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
        length = JsonTensorData.TryFill(json, tensor);
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
