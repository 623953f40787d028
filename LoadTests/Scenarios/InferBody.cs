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
