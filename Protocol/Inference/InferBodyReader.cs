using System.Text.Json;
using System.Text.Unicode;
using BenchPlatform.Protocol.Problems;

namespace BenchPlatform.Protocol.Inference;

/// <summary>
/// The one reader of Open Inference Protocol v2 infer bodies (docs/api.md), JSON or with binary tensor data, in two
/// modes over the same code: <see cref="Decode(ReadOnlySpan{byte}, int?)"/> (the worker) reads the tensors into pooled
/// buffers; <see cref="Validate"/> (the gateway) checks and counts them without keeping a value. Both refuse exactly
/// the same bodies with the same problem, a JSON part that is not UTF-8 among them. <c>data</c> may be flat (row-major) or nested; it may come before or after
/// <c>datatype</c>.
/// </summary>
public static partial class InferBodyReader
{
    /// <summary>The header of the binary tensor data extension: the byte length of the body's JSON part.</summary>
    public const string BinaryHeader = "Inference-Header-Content-Length";

    private const string Title = ProblemTitles.InvalidInferenceRequest;

    /// <summary>
    /// Decodes <paramref name="body"/>; throws <see cref="BadRequestException"/> naming what is wrong. With
    /// <paramref name="jsonLength"/> (the <see cref="BinaryHeader"/> header) only that many leading bytes are JSON; the
    /// rest holds, in input order, the raw elements of every input whose <c>parameters.binary_data_size</c> is set.
    /// </summary>
    public static InferRequest Decode(ReadOnlySpan<byte> body, int? jsonLength = null) => Decode(body, jsonLength, fastData: true);

    /// <summary>
    /// Validate-and-count: null when <see cref="Decode(ReadOnlySpan{byte}, int?)"/> would accept <paramref name="body"/>
    /// (then <paramref name="counts"/> says what it holds), else the refusal it would throw. Bodies the allocation-free
    /// pass is sure of cost no allocation; the rest (STRING data, data before its datatype, mistakes) are decoded.
    /// </summary>
    public static BadRequestException? Validate(ReadOnlySpan<byte> body, int? jsonLength, out InferBodyCounts counts)
    {
        if (TryCheck(body, jsonLength, out counts))
        {
            return null;
        }

        try
        {
            using var request = Decode(body, jsonLength);
            counts = InferBodyCounts.Of(request, body.Length - (jsonLength ?? body.Length));
            return null;
        }
        catch (BadRequestException ex)
        {
            counts = default;
            return ex;
        }
    }

    /// <summary>As <see cref="Decode(ReadOnlySpan{byte}, int?)"/>; <paramref name="fastData"/> false forces the general data path (tests compare both).</summary>
    internal static InferRequest Decode(ReadOnlySpan<byte> body, int? jsonLength, bool fastData)
    {
        var inputs = new List<InputTensor>();
        try
        {
            var json = Json(body, jsonLength);
            if (!Utf8.IsValid(json))
            {
                throw new BadRequestException(Title, "The body is not valid UTF-8; send JSON text encoded as UTF-8.", "body");
            }

            var counts = default(Counter);
            return ReadCore(json, body[json.Length..], jsonLength is not null, inputs, fastData, ref counts)!;
        }
        catch (JsonException) when (fastData)
        {
            // After a fast-decoded array the reader's positions count from that array's end: decode again on the
            // general path so the error names the true line and byte position.
            Dispose(inputs);
            return Decode(body, jsonLength, fastData: false);
        }
        catch (JsonException ex)
        {
            Dispose(inputs);
            throw new BadRequestException(Title,
                $"The body is not valid JSON ({ex.Message}); NaN and Infinity are not JSON numbers: send them as the strings \"NaN\", \"Infinity\", \"-Infinity\".",
                "body");
        }
        catch
        {
            Dispose(inputs);
            throw;
        }
    }

    /// <summary>The allocation-free pass of <see cref="Validate"/>: true only when the body is certainly accepted.</summary>
    internal static bool TryCheck(ReadOnlySpan<byte> body, int? jsonLength, out InferBodyCounts counts)
    {
        counts = default;
        if (jsonLength is { } length && (length < 1 || length > body.Length))
        {
            return false;
        }

        try
        {
            var json = jsonLength is null ? body : body[..jsonLength.Value];
            if (!Utf8.IsValid(json))
            {
                return false;
            }

            var counter = default(Counter);
            ReadCore(json, body[json.Length..], jsonLength is not null, inputs: null, fastData: true, ref counter);
            counts = new InferBodyCounts(counter.Inputs, counter.Elements, counter.BinaryBytes);
            return !counter.Undecided;
        }
        catch (Exception ex) when (ex is JsonException or BadRequestException)
        {
            return false;
        }
    }

    private static ReadOnlySpan<byte> Json(ReadOnlySpan<byte> body, int? jsonLength)
    {
        if (jsonLength is not { } length)
        {
            return body;
        }

        if (length < 1 || length > body.Length)
        {
            throw new BadRequestException(Title,
                $"{BinaryHeader} is {length} but the body has {body.Length} bytes; it must count the JSON part only, between 1 and the body length.",
                BinaryHeader);
        }

        return body[..length];
    }

    /// <summary>Reads the root object; decodes into <paramref name="inputs"/>, or only checks when it is null (validate mode).</summary>
    private static InferRequest? ReadCore(
        ReadOnlySpan<byte> body, ReadOnlySpan<byte> binary, bool binaryBody, List<InputTensor>? inputs, bool fastData, ref Counter counts)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        var position = new Position(body, binary, binaryBody);
        var decode = inputs is not null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new BadRequestException(Title, "The body must be a JSON object: {\"inputs\":[{\"name\",\"shape\",\"datatype\",\"data\"}]}.", "body");
        }

        string? id = null;
        List<string>? outputs = null;
        List<string>? binaryOutputs = null;
        var useCache = true;
        var binaryOutput = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(InferFields.Id.EncodedUtf8Bytes))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.String, "\"id\" must be a string.", "id");
                id = decode ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals(InferFields.Inputs.EncodedUtf8Bytes))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartArray, "\"inputs\" must be an array of tensors {\"name\",\"shape\",\"datatype\",\"data\"}.", "inputs");
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var input = ReadInput(ref reader, ref position, counts.Inputs, fastData, decode, ref counts);
                    if (input is not null)
                    {
                        inputs!.Add(input);
                    }

                    counts.Inputs++;
                }
            }
            else if (reader.ValueTextEquals(InferFields.Outputs.EncodedUtf8Bytes))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartArray, "\"outputs\" must be an array of {\"name\": …}.", "outputs");
                outputs = decode ? [] : null;
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    ReadOutput(ref reader, index++, outputs, ref binaryOutputs);
                }
            }
            else if (reader.ValueTextEquals(InferFields.Parameters.EncodedUtf8Bytes))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartObject, "\"parameters\" must be an object.", "parameters");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isCache = reader.ValueTextEquals(InferFields.Cache.EncodedUtf8Bytes);
                    var isBinaryOutput = reader.ValueTextEquals(InferFields.BinaryDataOutput.EncodedUtf8Bytes);
                    reader.Read();
                    if (isCache)
                    {
                        useCache = Boolean(ref reader, "\"parameters.cache\" must be true or false.", "parameters.cache");
                    }
                    else if (isBinaryOutput)
                    {
                        binaryOutput = Boolean(ref reader, "\"parameters.binary_data_output\" must be true or false.", "parameters.binary_data_output");
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

        // Nothing but whitespace may follow the object (the reader throws on anything else).
        reader.Read();
        if (counts.Inputs == 0)
        {
            throw new BadRequestException(Title, "'inputs' is required: an array of at least one tensor {\"name\",\"shape\",\"datatype\",\"data\"}.", "inputs");
        }

        if (position.BinaryUsed != binary.Length)
        {
            throw new BadRequestException(Title,
                $"The body has {binary.Length} bytes after the {body.Length}-byte JSON header but the inputs' binary_data_size add up to {position.BinaryUsed}; they must match exactly.",
                BinaryHeader);
        }

        counts.BinaryBytes = position.BinaryUsed;
        return decode
            ? new InferRequest
            {
                Id = id,
                Inputs = inputs!,
                Outputs = outputs,
                UseCache = useCache,
                BinaryOutput = binaryOutput,
                BinaryOutputs = binaryOutputs,
            }
            : null;
    }

    /// <summary>One entry of <c>outputs</c>; its name goes into <paramref name="outputs"/> when decoding (non-null).</summary>
    private static void ReadOutput(ref Utf8JsonReader reader, int index, List<string>? outputs, ref List<string>? binaryOutputs)
    {
        Expect(ref reader, JsonTokenType.StartObject, "Each entry of \"outputs\" must be an object {\"name\": …}.", "outputs[#]", index);
        string? name = null;
        var named = false;
        var binary = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(InferFields.Name.EncodedUtf8Bytes))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    named = true;
                    name = outputs is null ? null : reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals(InferFields.Parameters.EncodedUtf8Bytes))
            {
                reader.Read();
                Expect(ref reader, JsonTokenType.StartObject, "An output's \"parameters\" must be an object such as {\"binary_data\": true}.", "outputs[#].parameters", index);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isBinary = reader.ValueTextEquals(InferFields.BinaryData.EncodedUtf8Bytes);
                    reader.Read();
                    if (isBinary)
                    {
                        binary = Boolean(ref reader, "An output's \"parameters.binary_data\" must be true or false.", "outputs[#].parameters.binary_data", index);
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

        if (!named)
        {
            throw new BadRequestException(Title, "An entry of \"outputs\" has no \"name\".", $"outputs[{index}].name");
        }

        if (name is null)
        {
            return;
        }

        outputs!.Add(name);
        if (binary)
        {
            (binaryOutputs ??= []).Add(name);
        }
    }

    /// <summary>A JSON boolean; otherwise a refusal whose detail and field have <paramref name="index"/> for <c>#</c>.</summary>
    private static bool Boolean(ref Utf8JsonReader reader, string detail, string field, int index = -1) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Refusal(detail, field, index),
    };

    /// <summary>
    /// Refuses unless the token is of <paramref name="type"/>. The detail and field are constants with <c>#</c> where
    /// <paramref name="index"/> goes, so a body that passes builds no string.
    /// </summary>
    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string detail, string field, int index = -1)
    {
        if (reader.TokenType != type)
        {
            throw Refusal(detail, field, index);
        }
    }

    private static BadRequestException Refusal(string detail, string field, int index)
    {
        var at = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new BadRequestException(Title, detail.Replace("#", at, StringComparison.Ordinal), field.Replace("#", at, StringComparison.Ordinal));
    }

    /// <summary>How messages name an input: by its name once known, else by its place.</summary>
    private static string Label(string? name, int index) => name is null ? $"inputs[{index}]" : $"input '{name}'";

    private static void Dispose(List<InputTensor> inputs)
    {
        foreach (var input in inputs)
        {
            input.Dispose();
        }
    }

    /// <summary>What the pass has seen so far; <see cref="Undecided"/> when validate mode leaves the verdict to decoding.</summary>
    private struct Counter
    {
        public int Inputs;
        public long Elements;
        public long BinaryBytes;
        public bool Undecided;
    }

    /// <summary>Where the reader stands in the body: the offset a resumed reader starts at, and the binary bytes taken.</summary>
    private ref struct Position(ReadOnlySpan<byte> body, ReadOnlySpan<byte> binary, bool binaryBody)
    {
        public readonly ReadOnlySpan<byte> Body = body;
        public readonly ReadOnlySpan<byte> Binary = binary;
        public readonly bool BinaryBody = binaryBody;
        public int Offset;
        public int BinaryUsed;
    }
}
