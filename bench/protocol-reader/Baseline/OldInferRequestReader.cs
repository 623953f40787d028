// Baseline for the benchmarks: a copy, kept as it was, of the code the Protocol reader replaced (commit 7581181).
using System.Text.Json;
using BenchPlatform.Protocol.Inference;
using BenchPlatform.Protocol.Problems;
using BenchPlatform.Protocol.Tensors;

namespace BenchPlatform.Bench.ProtocolReader.Baseline;

/// <summary>
/// Decodes an Open Inference Protocol v2 JSON request with <see cref="Utf8JsonReader"/> straight into typed,
/// pooled buffers. <c>data</c> may be flat (row-major) or nested; it may come before or after <c>datatype</c>.
/// </summary>
internal static partial class OldInferRequestReader
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
            Id = id,
            Inputs = inputs,
            Outputs = outputs,
            UseCache = useCache,
            BinaryOutput = binaryOutput,
            BinaryOutputs = binaryOutputs,
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

                BinaryTensorData.Read(binary.Slice(binaryUsed, (int)binarySize), tensor, label, label);
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
}
