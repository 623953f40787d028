using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Sessions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchPlatform.InferenceWorker.Predict;

/// <summary>
/// Writes ONNX Runtime outputs as the v2 <c>outputs</c> array, optionally a row range of a merged batch.
/// JSON has no NaN or infinity, and a string never goes into a numeric array: a non-finite float is written as
/// <c>null</c> (binary tensor data carries it bit for bit).
/// </summary>
internal static class OutputJson
{
    /// <summary>
    /// Writes the <c>outputs</c> array; outputs flagged in <paramref name="binary"/> carry
    /// <c>parameters.binary_data_size</c> instead of <c>data</c> and their elements go to <paramref name="binaryData"/>.
    /// </summary>
    public static void Write(
        Utf8JsonWriter writer, string[] names, OrtValue[] values, bool[] include, int rowStart, int rows, bool slice,
        bool[]? binary = null, IBufferWriter<byte>? binaryData = null)
    {
        writer.WriteStartArray();
        for (var o = 0; o < names.Length; o++)
        {
            if (!include[o])
            {
                continue;
            }

            var value = values[o];
            var info = value.GetTensorTypeAndShape();
            var shape = info.Shape;
            var start = 0;
            var count = (int)info.ElementCount;
            if (slice)
            {
                var rowElements = count / (int)shape[0];
                start = rowStart * rowElements;
                count = rows * rowElements;
                shape = (long[])shape.Clone();
                shape[0] = rows;
            }

            writer.WriteStartObject();
            writer.WriteString(InferFields.Name, names[o]);
            var type = OrtDataTypes.FromOrt(info.ElementDataType);
            writer.WriteString(InferFields.Datatype, TensorDataTypes.Name(type));
            writer.WriteStartArray(InferFields.Shape);
            foreach (var dim in shape)
            {
                writer.WriteNumberValue(dim);
            }

            writer.WriteEndArray();
            if (binary is not null && binary[o])
            {
                var size = WriteBinary(binaryData!, value, info.ElementDataType, start, count);
                writer.WriteStartObject(InferFields.Parameters);
                writer.WriteNumber(InferFields.BinaryDataSize, size);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStartArray(InferFields.Data);
                WriteData(writer, value, info.ElementDataType, start, count);
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Raw little-endian elements (STRING: 4-byte length + UTF-8 each); returns the byte count.</summary>
    private static long WriteBinary(IBufferWriter<byte> output, OrtValue value, TensorElementType type, int start, int count)
    {
        if (type == TensorElementType.String)
        {
            long total = 0;
            for (var i = start; i < start + count; i++)
            {
                var text = value.GetStringElement(i);
                var length = Encoding.UTF8.GetByteCount(text);
                var span = output.GetSpan(4 + length);
                BinaryPrimitives.WriteInt32LittleEndian(span, length);
                Encoding.UTF8.GetBytes(text, span[4..]);
                output.Advance(4 + length);
                total += 4 + length;
            }

            return total;
        }

        var size = type switch
        {
            TensorElementType.Bool or TensorElementType.Int8 or TensorElementType.UInt8 => 1,
            TensorElementType.Float16 or TensorElementType.Int16 or TensorElementType.UInt16 => 2,
            TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
            TensorElementType.Double or TensorElementType.Int64 or TensorElementType.UInt64 => 8,
            _ => throw new NotSupportedException($"Output element type {type} is not carried by the inference API."),
        };
        var bytes = value.GetTensorMutableRawData().Slice(start * size, count * size);
        output.Write(bytes);
        return bytes.Length;
    }

    private static void WriteData(Utf8JsonWriter writer, OrtValue value, TensorElementType type, int start, int count)
    {
        switch (type)
        {
            case TensorElementType.Float:
                foreach (var v in value.GetTensorDataAsSpan<float>().Slice(start, count))
                {
                    WriteFloat(writer, v);
                }

                break;
            case TensorElementType.Double:
                foreach (var v in value.GetTensorDataAsSpan<double>().Slice(start, count))
                {
                    WriteFloat(writer, v);
                }

                break;
            case TensorElementType.Float16:
                foreach (var v in value.GetTensorDataAsSpan<Float16>().Slice(start, count))
                {
                    WriteFloat(writer, (float)v);
                }

                break;
            case TensorElementType.Bool:
                foreach (var v in value.GetTensorDataAsSpan<bool>().Slice(start, count))
                {
                    writer.WriteBooleanValue(v);
                }

                break;
            case TensorElementType.Int64:
                foreach (var v in value.GetTensorDataAsSpan<long>().Slice(start, count))
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.Int32:
                foreach (var v in value.GetTensorDataAsSpan<int>().Slice(start, count))
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.Int16:
                foreach (var v in value.GetTensorDataAsSpan<short>().Slice(start, count))
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.Int8:
                foreach (var v in value.GetTensorDataAsSpan<sbyte>().Slice(start, count))
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.UInt8:
                foreach (var v in value.GetTensorDataAsSpan<byte>().Slice(start, count))
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.UInt16:
                foreach (var v in value.GetTensorDataAsSpan<ushort>().Slice(start, count))
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.UInt32:
                foreach (var v in value.GetTensorDataAsSpan<uint>().Slice(start, count))
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.UInt64:
                foreach (var v in value.GetTensorDataAsSpan<ulong>().Slice(start, count))
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.String:
                for (var i = start; i < start + count; i++)
                {
                    writer.WriteStringValue(value.GetStringElement(i));
                }

                break;
            default:
                throw new NotSupportedException($"Output element type {type} is not carried by the inference API.");
        }
    }

    private static void WriteFloat(Utf8JsonWriter writer, double v)
    {
        if (double.IsFinite(v))
        {
            writer.WriteNumberValue(v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static void WriteFloat(Utf8JsonWriter writer, float v)
    {
        if (float.IsFinite(v))
        {
            writer.WriteNumberValue(v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
