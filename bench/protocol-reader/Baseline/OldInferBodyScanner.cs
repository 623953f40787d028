// Baseline for the benchmarks: a copy, kept as it was, of the code the Protocol reader replaced (commit 7581181).
using System.Text.Json;

namespace BenchPlatform.Bench.ProtocolReader.Baseline;

/// <summary>
/// The hot path of infer validation: one forward pass of <see cref="Utf8JsonReader"/> over the buffered body,
/// no allocation. It answers only "certainly valid" (the same checks as the JsonDocument rules); on anything
/// else (a mistake, malformed JSON, a duplicate field) it answers false and the caller runs
/// the JsonDocument rules over a <see cref="JsonDocument"/>, which names the field at fault.
/// </summary>
internal static partial class OldInferBodyScanner
{
    private const byte KindNumber = 1;
    private const byte KindString = 2;
    private const byte KindBool = 4;
    private const byte KindOther = 8;

    /// <summary>
    /// Whether <paramref name="json"/> is certainly a valid infer body. <paramref name="binaryLength"/> is the byte count
    /// after the JSON header of a binary tensor data body (-1 for a plain JSON body): then inputs may carry
    /// <c>parameters.binary_data_size</c> instead of <c>data</c>, and those sizes must add up to it.
    /// </summary>
    public static bool IsCertainlyValid(ReadOnlySpan<byte> json, long binaryLength = -1)
    {
        try
        {
            var body = new Body(json);
            long binary = 0;
            return ScanRoot(ref body, binaryLength >= 0, ref binary) && !body.Reader.Read() && binary == Math.Max(binaryLength, 0);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool ScanRoot(ref Body body, bool binaryBody, ref long binary)
    {
        ref var reader = ref body.Reader;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        var seenInputs = false;
        var seenOutputs = false;
        var seenParameters = false;
        var seenId = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("inputs"u8))
            {
                if (seenInputs || !reader.Read() || !ScanInputs(ref body, binaryBody, ref binary))
                {
                    return false;
                }

                seenInputs = true;
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                if (seenOutputs || !reader.Read() || !ScanOutputs(ref reader))
                {
                    return false;
                }

                seenOutputs = true;
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                if (seenParameters || !reader.Read() || reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.Null))
                {
                    return false;
                }

                reader.Skip();
                seenParameters = true;
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                if (seenId || !reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    return false;
                }

                seenId = true;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return reader.TokenType == JsonTokenType.EndObject && seenInputs;
    }

    private static bool ScanInputs(ref Body body, bool binaryBody, ref long binary)
    {
        ref var reader = ref body.Reader;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!ScanInput(ref body, binaryBody, ref binary))
            {
                return false;
            }

            count++;
        }

        return count > 0;
    }

    private static bool ScanInput(ref Body body, bool binaryBody, ref long binary)
    {
        ref var reader = ref body.Reader;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        var seenName = false;
        var seenShape = false;
        var seenData = false;
        byte expected = 0;
        long elements = 1;
        long leaves = 0;
        byte leafKinds = 0;
        long binarySize = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                if (seenName || !reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length == 0)
                {
                    return false;
                }

                seenName = true;
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                if (expected != 0 || !reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }

                expected = DatatypeKind(ref reader);
                if (expected == 0)
                {
                    return false;
                }
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                if (seenShape || !reader.Read() || !ScanShape(ref reader, out elements))
                {
                    return false;
                }

                seenShape = true;
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                if (seenData || !reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                {
                    return false;
                }

                if (expected == KindNumber && body.TrySkipNumberArray(out var numbers))
                {
                    leaves += numbers;
                    leafKinds |= numbers > 0 ? KindNumber : (byte)0;
                }
                else
                {
                    ScanData(ref reader, ref leaves, ref leafKinds);
                }

                seenData = true;
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                if (!reader.Read() || !ScanInputParameters(ref reader, ref binarySize))
                {
                    return false;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (binarySize >= 0)
        {
            // Binary tensor data: the elements follow the JSON header; the worker checks their size against the shape.
            binary += binarySize;
            return binaryBody && seenName && seenShape && !seenData && expected != 0;
        }

        if (!(seenName && seenShape && seenData && expected != 0) || leaves != elements)
        {
            return false;
        }

        // Every leaf must be of the datatype's JSON kind (an empty array has no leaves and passes).
        return leafKinds == 0 || leafKinds == expected;
    }

    private static bool ScanInputParameters(ref Utf8JsonReader reader, ref long binarySize)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("binary_data_size"u8))
            {
                if (binarySize >= 0 || !reader.Read() || reader.TokenType != JsonTokenType.Number
                    || !reader.TryGetInt64(out binarySize) || binarySize is < 0 or > int.MaxValue)
                {
                    return false;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return true;
    }

    private static bool ScanOutputs(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var seenName = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    if (seenName || !reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length == 0)
                    {
                        return false;
                    }

                    seenName = true;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (!seenName)
            {
                return false;
            }
        }

        return true;
    }

    private static bool ScanShape(ref Utf8JsonReader reader, out long elements)
    {
        elements = 1;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var size) || size < 0)
            {
                return false;
            }

            if (size == 0 || elements == 0)
            {
                elements = 0;
            }
            else if (elements > long.MaxValue / size)
            {
                return false;
            }
            else
            {
                elements *= size;
            }
        }

        return true;
    }

    /// <summary>Counts the leaves of a nested array and records which JSON kinds they are.</summary>
    private static void ScanData(ref Utf8JsonReader reader, ref long leaves, ref byte kinds)
    {
        var depth = reader.CurrentDepth;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.EndArray when reader.CurrentDepth == depth:
                    return;
                case JsonTokenType.StartArray or JsonTokenType.EndArray:
                    continue;
                case JsonTokenType.Number:
                    kinds |= KindNumber;
                    break;
                case JsonTokenType.String:
                    kinds |= KindString;
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    kinds |= KindBool;
                    break;
                case JsonTokenType.StartObject:
                    kinds |= KindOther;
                    reader.Skip();
                    break;
                default:
                    kinds |= KindOther;
                    break;
            }

            leaves++;
        }
    }

    private static byte DatatypeKind(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return 0;
        }

        var value = reader.ValueSpan;
        return value switch
        {
            _ when value.SequenceEqual("FP32"u8) || value.SequenceEqual("INT64"u8) || value.SequenceEqual("INT32"u8)
                || value.SequenceEqual("FP64"u8) || value.SequenceEqual("FP16"u8) || value.SequenceEqual("BF16"u8)
                || value.SequenceEqual("INT8"u8) || value.SequenceEqual("INT16"u8) || value.SequenceEqual("UINT8"u8)
                || value.SequenceEqual("UINT16"u8) || value.SequenceEqual("UINT32"u8) || value.SequenceEqual("UINT64"u8) => KindNumber,
            _ when value.SequenceEqual("BYTES"u8) || value.SequenceEqual("STRING"u8) => KindString,
            _ when value.SequenceEqual("BOOL"u8) => KindBool,
            _ => 0,
        };
    }
}
