using System.Buffers;
using System.Text.Json;
using BenchPlatform.Protocol.Inference;
using BenchPlatform.Protocol.Tensors;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>
/// Builds an Open Inference Protocol v2 request body for a model's inputs: the first dynamic dimension of each input is
/// the batch, other dynamic dimensions take the input size; floats are a deterministic wave, integers a fixed value.
/// </summary>
public static class InferBody
{
    public static long[] ResolveShape(long[] shape, int batch, int inputSize)
    {
        var resolved = new long[shape.Length];
        var batchUsed = false;
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] >= 0)
            {
                resolved[d] = shape[d];
            }
            else if (!batchUsed)
            {
                resolved[d] = batch;
                batchUsed = true;
            }
            else
            {
                resolved[d] = inputSize;
            }
        }

        return resolved;
    }

    /// <summary>
    /// The same request with binary tensor data (the Open Inference Protocol extension): the JSON header, whose byte
    /// length goes in <c>Inference-Header-Content-Length</c>, then each input's elements as raw little-endian bytes.
    /// </summary>
    public static byte[] BuildBinary(IReadOnlyList<ModelInput> inputs, int batch, int inputSize, long intFill, bool useCache, out int headerLength)
    {
        var data = new ArrayBufferWriter<byte>(4096);
        var sizes = new long[inputs.Count];
        for (var n = 0; n < inputs.Count; n++)
        {
            var input = inputs[n];
            var count = Count(ResolveShape(input.Shape, batch, inputSize));
            var type = DataType(input);
            var before = data.WrittenCount;
            for (long i = 0; i < count; i++)
            {
                var wave = MathF.Round(MathF.Sin(i * 0.05f) * 0.5f, 4);
                switch (type)
                {
                    case TensorDataType.Fp32: Write(data, wave); break;
                    case TensorDataType.Fp16: Write(data, (Half)wave); break;
                    case TensorDataType.Fp64: Write(data, (double)wave); break;
                    case TensorDataType.Bool: Write(data, (byte)(i % 2 == 0 ? 1 : 0)); break;
                    case TensorDataType.String: Write(data, 1); Write(data, (byte)'x'); break;
                    case TensorDataType.Int8: Write(data, (sbyte)intFill); break;
                    case TensorDataType.UInt8: Write(data, (byte)intFill); break;
                    case TensorDataType.Int16: Write(data, (short)intFill); break;
                    case TensorDataType.UInt16: Write(data, (ushort)intFill); break;
                    case TensorDataType.Int32: Write(data, (int)intFill); break;
                    case TensorDataType.UInt32: Write(data, (uint)intFill); break;
                    case TensorDataType.UInt64: Write(data, (ulong)intFill); break;
                    default: Write(data, intFill); break;
                }
            }

            sizes[n] = data.WrittenCount - before;
        }

        var header = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartArray(InferFields.Inputs);
            for (var n = 0; n < inputs.Count; n++)
            {
                json.WriteStartObject();
                json.WriteString(InferFields.Name, inputs[n].Name);
                json.WriteString(InferFields.Datatype, inputs[n].Datatype);
                json.WriteStartArray(InferFields.Shape);
                foreach (var dim in ResolveShape(inputs[n].Shape, batch, inputSize))
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                json.WriteStartObject(InferFields.Parameters);
                json.WriteNumber(InferFields.BinaryDataSize, sizes[n]);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject(InferFields.Parameters);
            json.WriteBoolean(InferFields.Cache, useCache);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        headerLength = header.WrittenCount;
        return [.. header.WrittenSpan, .. data.WrittenSpan];
    }

    /// <summary>The input's datatype from the protocol's table; metadata may spell it in lower case.</summary>
    private static TensorDataType DataType(ModelInput input) => TensorDataTypes.Parse(input.Datatype.ToUpperInvariant());

    private static long Count(long[] shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            count *= dim;
        }

        return count;
    }

    private static void Write<T>(ArrayBufferWriter<byte> output, T value) where T : unmanaged
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value));
        output.Write(bytes);
    }

    public static byte[] Build(IReadOnlyList<ModelInput> inputs, int batch, int inputSize, long intFill, bool useCache)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray(InferFields.Inputs);
            foreach (var input in inputs)
            {
                var shape = ResolveShape(input.Shape, batch, inputSize);
                long count = 1;
                foreach (var dim in shape)
                {
                    count *= dim;
                }

                json.WriteStartObject();
                json.WriteString(InferFields.Name, input.Name);
                json.WriteString(InferFields.Datatype, input.Datatype);
                json.WriteStartArray(InferFields.Shape);
                foreach (var dim in shape)
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                json.WriteStartArray(InferFields.Data);
                var type = DataType(input);
                for (long i = 0; i < count; i++)
                {
                    if (TensorDataTypes.IsFloat(type))
                    {
                        json.WriteNumberValue(MathF.Round(MathF.Sin(i * 0.05f) * 0.5f, 4));
                    }
                    else if (type == TensorDataType.Bool)
                    {
                        json.WriteBooleanValue(i % 2 == 0);
                    }
                    else if (type == TensorDataType.String)
                    {
                        json.WriteStringValue("x");
                    }
                    else
                    {
                        json.WriteNumberValue(intFill);
                    }
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject(InferFields.Parameters);
            json.WriteBoolean(InferFields.Cache, useCache);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
