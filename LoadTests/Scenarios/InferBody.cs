using System.Buffers;
using System.Text.Json;

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
            var before = data.WrittenCount;
            for (long i = 0; i < count; i++)
            {
                var wave = MathF.Round(MathF.Sin(i * 0.05f) * 0.5f, 4);
                switch (input.Datatype.ToUpperInvariant())
                {
                    case "FP32": Write(data, wave); break;
                    case "FP16": Write(data, (Half)wave); break;
                    case "FP64": Write(data, (double)wave); break;
                    case "BOOL": Write(data, (byte)(i % 2 == 0 ? 1 : 0)); break;
                    case "STRING" or "BYTES": Write(data, 1); Write(data, (byte)'x'); break;
                    case "INT8": Write(data, (sbyte)intFill); break;
                    case "UINT8": Write(data, (byte)intFill); break;
                    case "INT16": Write(data, (short)intFill); break;
                    case "UINT16": Write(data, (ushort)intFill); break;
                    case "INT32": Write(data, (int)intFill); break;
                    case "UINT32": Write(data, (uint)intFill); break;
                    case "UINT64": Write(data, (ulong)intFill); break;
                    default: Write(data, intFill); break;
                }
            }

            sizes[n] = data.WrittenCount - before;
        }

        var header = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartArray("inputs");
            for (var n = 0; n < inputs.Count; n++)
            {
                json.WriteStartObject();
                json.WriteString("name", inputs[n].Name);
                json.WriteString("datatype", inputs[n].Datatype);
                json.WriteStartArray("shape");
                foreach (var dim in ResolveShape(inputs[n].Shape, batch, inputSize))
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                json.WriteStartObject("parameters");
                json.WriteNumber("binary_data_size", sizes[n]);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("parameters");
            json.WriteBoolean("cache", useCache);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        headerLength = header.WrittenCount;
        return [.. header.WrittenSpan, .. data.WrittenSpan];
    }

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
            json.WriteStartArray("inputs");
            foreach (var input in inputs)
            {
                var shape = ResolveShape(input.Shape, batch, inputSize);
                long count = 1;
                foreach (var dim in shape)
                {
                    count *= dim;
                }

                json.WriteStartObject();
                json.WriteString("name", input.Name);
                json.WriteString("datatype", input.Datatype);
                json.WriteStartArray("shape");
                foreach (var dim in shape)
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                json.WriteStartArray("data");
                for (long i = 0; i < count; i++)
                {
                    switch (input.Datatype.ToUpperInvariant())
                    {
                        case "FP32" or "FP16" or "FP64":
                            json.WriteNumberValue(MathF.Round(MathF.Sin(i * 0.05f) * 0.5f, 4));
                            break;
                        case "BOOL":
                            json.WriteBooleanValue(i % 2 == 0);
                            break;
                        case "STRING" or "BYTES":
                            json.WriteStringValue("x");
                            break;
                        default:
                            json.WriteNumberValue(intFill);
                            break;
                    }
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("parameters");
            json.WriteBoolean("cache", useCache);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
