using System.Text.Json;
using BenchPlatform.Protocol.Problems;
using BenchPlatform.Protocol.Tensors;

namespace BenchPlatform.Protocol.Inference;

public static partial class InferBodyReader
{
    /// <summary>The most dimensions an input may have.</summary>
    public const int MaxRank = 16;

    /// <summary>
    /// One entry of <c>inputs</c>. Decoding, returns the tensor; validating, returns null and adds its elements to
    /// <paramref name="counts"/> (or marks it undecided when only decoding can tell).
    /// </summary>
    private static InputTensor? ReadInput(ref Utf8JsonReader reader, ref Position position, int index, bool fastData, bool decode, ref Counter counts)
    {
        Expect(ref reader, JsonTokenType.StartObject, "inputs[#] must be an object {\"name\",\"shape\",\"datatype\",\"data\"}.", "inputs[#]", index);
        string? name = null;
        var named = false;
        var type = TensorDataType.Unknown;
        string? datatype = null;
        Span<long> dims = stackalloc long[MaxRank];
        var rank = -1;
        long binarySize = -1;
        int dataStart = -1, dataEnd = -1;
        InputTensor? filled = null;
        var checkedFast = false;
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(InferFields.Name.EncodedUtf8Bytes))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.IsEmpty)
                    {
                        throw new BadRequestException(Title, $"inputs[{index}].name must be a non-empty string.", $"inputs[{index}].name");
                    }

                    named = true;
                    name = decode ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals(InferFields.Datatype.EncodedUtf8Bytes))
                {
                    reader.Read();
                    Expect(ref reader, JsonTokenType.String, "inputs[#].datatype must be a string such as \"FP32\".", "inputs[#].datatype", index);
                    type = reader.ValueIsEscaped ? TensorDataTypes.Parse(reader.GetString()) : TensorDataTypes.Parse(reader.ValueSpan);
                    datatype = type == TensorDataType.Unknown ? reader.GetString() : TensorDataTypes.Name(type);
                    Discard(ref filled, ref checkedFast);
                }
                else if (reader.ValueTextEquals(InferFields.Shape.EncodedUtf8Bytes))
                {
                    reader.Read();
                    rank = ReadShape(ref reader, index, dims);
                    Discard(ref filled, ref checkedFast);
                }
                else if (reader.ValueTextEquals(InferFields.Data.EncodedUtf8Bytes))
                {
                    reader.Read();
                    dataStart = position.Offset + (int)reader.TokenStartIndex;
                    Discard(ref filled, ref checkedFast);
                    var length = fastData && reader.TokenType == JsonTokenType.StartArray
                        ? TryFast(position.Body[dataStart..], type, dims, rank, decode, out filled)
                        : -1;
                    if (length > 0)
                    {
                        // The array is read; resume the structural reader at its closing bracket.
                        checkedFast = true;
                        var state = reader.CurrentState;
                        position.Offset = dataStart + length - 1;
                        reader = new Utf8JsonReader(position.Body[position.Offset..], isFinalBlock: true, state);
                        reader.Read();
                        dataEnd = dataStart + length;
                    }
                    else
                    {
                        reader.Skip();
                        dataEnd = position.Offset + (int)reader.BytesConsumed;
                    }
                }
                else if (reader.ValueTextEquals(InferFields.Parameters.EncodedUtf8Bytes))
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

        if (checkedFast && binarySize < 0 && named)
        {
            counts.Elements += ElementCount(dims[..rank]);
            return filled?.WithName(name!);
        }

        filled?.Dispose();
        if (!named)
        {
            throw new BadRequestException(Title, $"{Label(name, index)} has no \"name\".", $"inputs[{index}].name");
        }

        if (datatype is null)
        {
            throw new BadRequestException(Title, $"{Label(name, index)} has no \"datatype\"; use one of {TensorDataTypes.Names}.", $"inputs[{index}].datatype");
        }

        if (type == TensorDataType.Unknown)
        {
            throw new BadRequestException(Title, $"{Label(name, index)} has datatype '{datatype}', which is not one of {TensorDataTypes.Names}.", $"inputs[{index}].datatype");
        }

        if (rank < 0)
        {
            throw new BadRequestException(Title, $"{Label(name, index)} has no \"shape\"; give its dimensions, e.g. [1, 4] ([] for a scalar).", $"inputs[{index}].shape");
        }

        if (binarySize >= 0 && dataStart >= 0)
        {
            throw new BadRequestException(Title, $"{Label(name, index)} has both \"data\" and parameters.binary_data_size; send its elements one way, not both.", $"inputs[{index}].data");
        }

        if (dataStart < 0 && binarySize < 0)
        {
            throw new BadRequestException(Title,
                $"{Label(name, index)} has no \"data\"; give its elements row-major as a JSON array (or as binary: parameters.binary_data_size with the {BinaryHeader} header).",
                $"inputs[{index}].data");
        }

        var count = ElementCount(dims[..rank]);
        if (count < 0)
        {
            throw new BadRequestException(Title, $"{Label(name, index)} has shape [{string.Join(", ", dims[..rank].ToArray())}], more elements than one request may carry.", $"inputs[{index}].shape");
        }

        if (binarySize >= 0)
        {
            if (!position.BinaryBody)
            {
                throw new BadRequestException(Title,
                    $"{Label(name, index)} has parameters.binary_data_size but the request has no binary tensor data: send the {BinaryHeader} header with the JSON part's byte length, then the elements.",
                    $"inputs[{index}].parameters.binary_data_size");
            }

            if (binarySize > position.Binary.Length - position.BinaryUsed)
            {
                throw new BadRequestException(Title,
                    $"{Label(name, index)} has binary_data_size {binarySize} but only {position.Binary.Length - position.BinaryUsed} binary bytes are left after the JSON header ({BinaryHeader}) and the inputs before it.",
                    BinaryHeader);
            }

            var data = position.Binary.Slice(position.BinaryUsed, (int)binarySize);
            position.BinaryUsed += (int)binarySize;
            if (!decode)
            {
                counts.Elements += count;
                counts.Undecided |= !BinaryTensorData.Check(data, type, count);
                return null;
            }

            var binaryTensor = new InputTensor(name!, type, dims[..rank].ToArray(), (int)count);
            try
            {
                BinaryTensorData.Read(data, binaryTensor, Label(name, index), $"inputs[{index}].parameters.binary_data_size");
                return binaryTensor;
            }
            catch
            {
                binaryTensor.Dispose();
                throw;
            }
        }

        if (!decode)
        {
            // STRING data, data before its datatype or shape, or a mistake: decoding decides and names it.
            counts.Undecided = true;
            return null;
        }

        var tensor = new InputTensor(name!, type, dims[..rank].ToArray(), (int)count);
        try
        {
            JsonTensorReader.ReadData(position.Body[dataStart..dataEnd], tensor, Label(name, index), $"inputs[{index}].data");
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>The fast data path when the datatype and shape came before <c>data</c>; -1 leaves it to the general path.</summary>
    private static int TryFast(ReadOnlySpan<byte> json, TensorDataType type, ReadOnlySpan<long> dims, int rank, bool decode, out InputTensor? tensor)
    {
        tensor = null;
        if (rank < 0 || TensorDataTypes.JsonKind(type) is TensorJsonKind.None or TensorJsonKind.String)
        {
            return -1;
        }

        var count = ElementCount(dims[..rank]);
        if (count < 0)
        {
            return -1;
        }

        if (!decode)
        {
            return JsonTensorData.TryCheck(json, type, (int)count);
        }

        // The name is set once the whole input object is read (it may come after "data").
        tensor = new InputTensor(string.Empty, type, dims[..rank].ToArray(), (int)count);
        var length = JsonTensorData.TryFill(json, tensor);
        if (length <= 0)
        {
            tensor.Dispose();
            tensor = null;
        }

        return length;
    }

    /// <summary>The product of the dimensions, or -1 past what one request may carry.</summary>
    private static long ElementCount(ReadOnlySpan<long> dims)
    {
        const long Limit = int.MaxValue / 8;
        long count = 1;
        foreach (var dim in dims)
        {
            if (dim > Limit || (count *= dim) > Limit)
            {
                return -1;
            }
        }

        return count;
    }

    private static void Discard(ref InputTensor? tensor, ref bool checkedFast)
    {
        tensor?.Dispose();
        tensor = null;
        checkedFast = false;
    }

    /// <summary>An input's <c>parameters</c>: returns <c>binary_data_size</c>, or -1 when absent.</summary>
    private static long ReadInputParameters(ref Utf8JsonReader reader, int index)
    {
        Expect(ref reader, JsonTokenType.StartObject, "inputs[#].parameters must be an object such as {\"binary_data_size\": 3136}.", "inputs[#].parameters", index);
        long size = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSize = reader.ValueTextEquals(InferFields.BinaryDataSize.EncodedUtf8Bytes);
            reader.Read();
            if (!isSize)
            {
                reader.Skip();
                continue;
            }

            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out size) || size < 0 || size > int.MaxValue)
            {
                throw new BadRequestException(Title,
                    $"inputs[{index}].parameters.binary_data_size must be a non-negative integer byte count of its binary data (at most {int.MaxValue}).",
                    $"inputs[{index}].parameters.binary_data_size");
            }
        }

        return size;
    }

    /// <summary>Reads <c>shape</c> into <paramref name="dims"/>; returns the rank.</summary>
    private static int ReadShape(ref Utf8JsonReader reader, int index, scoped Span<long> dims)
    {
        Expect(ref reader, JsonTokenType.StartArray, "inputs[#].shape must be an array of dimensions, e.g. [1, 4].", "inputs[#].shape", index);
        var rank = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 1)
            {
                throw new BadRequestException(Title,
                    $"inputs[{index}].shape[{rank}] is {JsonTensorReader.Describe(ref reader)}; every dimension must be an integer of at least 1.",
                    $"inputs[{index}].shape[{rank}]");
            }

            if (rank == dims.Length)
            {
                throw new BadRequestException(Title, $"inputs[{index}].shape has more than {dims.Length} dimensions.", $"inputs[{index}].shape");
            }

            dims[rank++] = dim;
        }

        return rank;
    }
}
