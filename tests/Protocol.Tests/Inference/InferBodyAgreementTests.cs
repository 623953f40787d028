using System.Text;
using BenchPlatform.Protocol.Inference;
using BenchPlatform.Protocol.Problems;

namespace BenchPlatform.Protocol.Tests.Inference;

/// <summary>
/// The shared table of infer bodies: each runs through the gateway's mode (<see cref="InferBodyReader.Validate"/>) and
/// the worker's mode (<see cref="InferBodyReader.Decode(ReadOnlySpan{byte}, int?)"/>), which must agree: both accept
/// (with the same counts), or both refuse with the same problem (title, field, detail). The table also pins what the
/// contract says of each case: accepted, or refused naming the field.
/// </summary>
public sealed class InferBodyAgreementTests
{
    /// <summary>Accepted: field null. Binary bodies: the JSON, then <c>binary</c> after it with the header set to the JSON's length.</summary>
    public static TheoryData<string, string, byte[]?, string?> Cases => new()
    {
        // Every datatype, JSON data.
        { "BOOL", Input("BOOL", "[2]", "[true,false]"), null, null },
        { "UINT8", Input("UINT8", "[2]", "[0,255]"), null, null },
        { "UINT16", Input("UINT16", "[2]", "[0,65535]"), null, null },
        { "UINT32", Input("UINT32", "[2]", "[0,4294967295]"), null, null },
        { "UINT64", Input("UINT64", "[2]", "[0,18446744073709551615]"), null, null },
        { "INT8", Input("INT8", "[2]", "[-128,127]"), null, null },
        { "INT16", Input("INT16", "[2]", "[-32768,32767]"), null, null },
        { "INT32", Input("INT32", "[2]", "[-2147483648,2147483647]"), null, null },
        { "INT64", Input("INT64", "[2]", "[-9223372036854775808,9223372036854775807]"), null, null },
        { "FP16", Input("FP16", "[2]", "[65504,-0.5]"), null, null },
        { "FP32", Input("FP32", "[1,4]", "[1,-2.5,3e-3,4E2]"), null, null },
        { "FP64", Input("FP64", "[2]", "[1.7976931348623157e308,-1e-300]"), null, null },
        { "STRING", Input("STRING", "[2]", "[\"a\",\"\u00e9\"]"), null, null },
        { "BYTES means STRING", Input("BYTES", "[1]", "[\"a\"]"), null, null },
        { "FP32 named non-finite values", Input("FP32", "[3]", "[\"NaN\",\"Infinity\",\"-Infinity\"]"), null, null },
        { "nested data", Input("INT64", "[2,2]", "[[1,2],[3,4]]"), null, null },
        { "data before datatype", """{"inputs":[{"name":"x","data":[1,2],"shape":[2],"datatype":"FP32"}]}""", null, null },
        { "scalar", Input("FP32", "[]", "[7]"), null, null },
        { "id, outputs, parameters", """{"id":"r1","inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}],"outputs":[{"name":"y","parameters":{"binary_data":true}}],"parameters":{"cache":false,"binary_data_output":true}}""", null, null },

        // Datatypes the contract does not have.
        { "BF16", Input("BF16", "[1]", "[1]"), null, "inputs[0].datatype" },
        { "lower case", Input("fp32", "[1]", "[1]"), null, "inputs[0].datatype" },
        { "no datatype", """{"inputs":[{"name":"x","shape":[1],"data":[1]}]}""", null, "inputs[0].datatype" },

        // Malformed shapes.
        { "negative dimension", Input("FP32", "[1,-4]", "[1,2,3,4]"), null, "inputs[0].shape[1]" },
        { "zero dimension", Input("FP32", "[0,4]", "[]"), null, "inputs[0].shape[0]" },
        { "string dimension", Input("FP32", "[1,\"4\"]", "[1,2,3,4]"), null, "inputs[0].shape[1]" },
        { "fractional dimension", Input("FP32", "[1.5]", "[1]"), null, "inputs[0].shape[0]" },
        { "nested shape", Input("FP32", "[[1]]", "[1]"), null, "inputs[0].shape[0]" },
        { "shape not an array", Input("FP32", "4", "[1,2,3,4]"), null, "inputs[0].shape" },
        { "no shape", """{"inputs":[{"name":"x","datatype":"FP32","data":[1]}]}""", null, "inputs[0].shape" },
        { "17 dimensions", Input("FP32", "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", "[1]"), null, "inputs[0].shape" },
        { "more elements than a request carries", Input("FP32", "[4294967296,4294967296]", "[1]"), null, "inputs[0].shape" },

        // Wrong element counts.
        { "too few elements", Input("FP32", "[1,4]", "[1,2,3]"), null, "inputs[0].data" },
        { "too many elements", Input("INT32", "[2]", "[1,2,3]"), null, "inputs[0].data" },
        { "nesting that does not add up", Input("FP32", "[2,2]", "[[1,2],[3]]"), null, "inputs[0].data" },
        { "empty data", Input("FP32", "[1]", "[]"), null, "inputs[0].data" },
        { "too few strings", Input("STRING", "[2]", "[\"a\"]"), null, "inputs[0].data" },

        // Out-of-range and wrongly typed elements.
        { "INT8 128", Input("INT8", "[1]", "[128]"), null, "inputs[0].data" },
        { "INT16 -32769", Input("INT16", "[1]", "[-32769]"), null, "inputs[0].data" },
        { "INT32 2^31", Input("INT32", "[1]", "[2147483648]"), null, "inputs[0].data" },
        { "INT64 2^63", Input("INT64", "[1]", "[9223372036854775808]"), null, "inputs[0].data" },
        { "UINT8 256", Input("UINT8", "[1]", "[256]"), null, "inputs[0].data" },
        { "UINT8 -1", Input("UINT8", "[1]", "[-1]"), null, "inputs[0].data" },
        { "UINT64 2^64", Input("UINT64", "[1]", "[18446744073709551616]"), null, "inputs[0].data" },
        { "INT32 fraction", Input("INT32", "[1]", "[1.5]"), null, "inputs[0].data" },
        { "INT32 exponent", Input("INT32", "[1]", "[1e2]"), null, "inputs[0].data" },
        { "FP16 70000", Input("FP16", "[1]", "[70000]"), null, "inputs[0].data" },
        { "FP32 1e39", Input("FP32", "[1]", "[1e39]"), null, "inputs[0].data" },
        { "FP32 3.5e38", Input("FP32", "[1]", "[3.5e38]"), null, "inputs[0].data" },
        { "FP32 0.0001e42", Input("FP32", "[1]", "[0.0001e42]"), null, null },
        { "FP32 tiny underflows to zero", Input("FP32", "[1]", "[1e-60]"), null, null },
        { "FP64 1e309", Input("FP64", "[1]", "[1e309]"), null, "inputs[0].data" },
        { "FP32 string", Input("FP32", "[2]", "[1,\"two\"]"), null, "inputs[0].data" },
        { "FP32 lower-case nan", Input("FP32", "[1]", "[\"nan\"]"), null, "inputs[0].data" },
        { "INT32 named NaN", Input("INT32", "[1]", "[\"NaN\"]"), null, "inputs[0].data" },
        { "FP32 null", Input("FP32", "[1]", "[null]"), null, "inputs[0].data" },
        { "FP32 object", Input("FP32", "[1]", "[{}]"), null, "inputs[0].data" },
        { "FP32 boolean", Input("FP32", "[1]", "[true]"), null, "inputs[0].data" },
        { "BOOL number", Input("BOOL", "[1]", "[1]"), null, "inputs[0].data" },
        { "STRING number", Input("STRING", "[1]", "[1]"), null, "inputs[0].data" },
        { "data not an array", Input("FP32", "[1]", "1"), null, "inputs[0].data" },
        { "bare NaN", Input("FP32", "[1]", "[NaN]"), null, "body" },
        { "leading zero", Input("FP32", "[1]", "[01]"), null, "body" },

        // Structure.
        { "not an object", "[1,2]", null, "body" },
        { "no inputs", """{"outputs":[{"name":"y"}]}""", null, "inputs" },
        { "empty inputs", """{"inputs":[]}""", null, "inputs" },
        { "inputs an object", """{"inputs":{}}""", null, "inputs" },
        { "input not an object", """{"inputs":[1]}""", null, "inputs[0]" },
        { "no name", """{"inputs":[{"shape":[1],"datatype":"FP32","data":[1]}]}""", null, "inputs[0].name" },
        { "empty name", """{"inputs":[{"name":"","shape":[1],"datatype":"FP32","data":[1]}]}""", null, "inputs[0].name" },
        { "no data", """{"inputs":[{"name":"x","shape":[1],"datatype":"FP32"}]}""", null, "inputs[0].data" },
        { "id a number", """{"id":5,"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}]}""", null, "id" },
        { "output without name", """{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}],"outputs":[{}]}""", null, "outputs[0].name" },
        { "parameters a number", """{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}],"parameters":5}""", null, "parameters" },
        { "cache not a boolean", """{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}],"parameters":{"cache":1}}""", null, "parameters.cache" },
        { "truncated", """{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}]""", null, "body" },
        { "trailing value", """{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}]} {}""", null, "body" },
        { "syntax error after a fast array", """{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}],"id":}""", null, "body" },

        // Not UTF-8 (the JSON part): bad bytes in a name, a STRING element, a key; a multi-byte sequence cut short.
        { "name not UTF-8", RawBytes("{\"inputs\":[{\"name\":\"x\u00FF\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}"), null, "body" },
        { "STRING element not UTF-8", RawBytes(Input("STRING", "[1]", "[\"a\u00C3\u0028\"]")), null, "body" },
        { "key not UTF-8", RawBytes("{\"inputs\":[{\"name\":\"x\",\"sh\u00FEape\":[1],\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}"), null, "body" },
        { "multi-byte sequence cut short", RawBytes(Input("STRING", "[1]", "[\"\u00E2\u0082\"]")), null, "body" },
        { "JSON part not UTF-8, binary data after it", RawBytes(Binary("STRING", "[1]", 5).Replace("\"x\"", "\"x\u00FF\"", StringComparison.Ordinal)), new byte[] { 1, 0, 0, 0, 65 }, "body" },
        { "binary data not UTF-8 after a UTF-8 JSON part", Binary("FP32", "[1]", 4), new byte[] { 0xFF, 0xFE, 0xFD, 0xFC }, null },

        // Binary tensor data.
        { "binary FP32", Binary("FP32", "[1,2]", 8), new byte[8], null },
        { "binary BOOL", Binary("BOOL", "[2]", 2), new byte[] { 0, 1 }, null },
        { "binary STRING", Binary("STRING", "[1]", 5), new byte[] { 1, 0, 0, 0, 65 }, null },
        { "binary and JSON inputs", """{"inputs":[{"name":"a","shape":[1],"datatype":"INT64","data":[1]},{"name":"b","shape":[2],"datatype":"INT16","parameters":{"binary_data_size":4}}]}""", new byte[4], null },
        { "binary size not the shape's", Binary("FP32", "[1,2]", 4), new byte[4], "inputs[0].parameters.binary_data_size" },
        { "binary bytes left over", Binary("FP32", "[1,2]", 8), new byte[9], "Inference-Header-Content-Length" },
        { "binary bytes missing", Binary("FP32", "[1,2]", 8), new byte[7], "Inference-Header-Content-Length" },
        { "binary BOOL byte 2", Binary("BOOL", "[2]", 2), new byte[] { 1, 2 }, "inputs[0].parameters.binary_data_size" },
        { "binary STRING not UTF-8", Binary("STRING", "[1]", 5), new byte[] { 1, 0, 0, 0, 0xFF }, "inputs[0].parameters.binary_data_size" },
        { "binary STRING length past the end", Binary("STRING", "[1]", 5), new byte[] { 9, 0, 0, 0, 65 }, "inputs[0].parameters.binary_data_size" },
        { "binary size negative", Binary("FP32", "[1]", -4), new byte[4], "inputs[0].parameters.binary_data_size" },
        { "binary size and data", """{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1],"parameters":{"binary_data_size":4}}]}""", new byte[4], "inputs[0].data" },
        { "binary size without the header", Binary("FP32", "[1]", 4), null, "inputs[0].parameters.binary_data_size" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GatewayAndWorker_EveryCase_AgreeAndMatchTheContract(string name, string json, byte[]? binary, string? field)
    {
        var body = Bytes(json);
        int? jsonLength = binary is null ? null : body.Length;
        body = [.. body, .. binary ?? []];

        var refusal = InferBodyReader.Validate(body, jsonLength, out var counts);
        InferRequest? decoded = null;
        BadRequestException? decodeError = null;
        try
        {
            decoded = InferBodyReader.Decode(body, jsonLength);
        }
        catch (BadRequestException ex)
        {
            decodeError = ex;
        }

        using (decoded)
        {
            Assert.True((refusal is null) == (decodeError is null),
                $"{name}: gateway {refusal?.Message ?? "accepts"}; worker {decodeError?.Message ?? "accepts"}");
            if (decodeError is not null)
            {
                Assert.Equal((decodeError.Title, decodeError.Field, decodeError.Message), (refusal!.Title, refusal.Field, refusal.Message));
            }
            else
            {
                long elements = 0;
                decoded!.Inputs.ForEach(input => elements += input.ElementCount);
                Assert.Equal(new InferBodyCounts(decoded.Inputs.Count, elements, binary?.Length ?? 0), counts);
            }

            Assert.True(field == decodeError?.Field, $"{name}: expected {field ?? "accepted"}, got {decodeError?.Field ?? "accepted"} ({decodeError?.Message})");
        }
    }

    [Theory]
    [InlineData("[1,2,3,4]")]
    [InlineData("[[1,2],[3,4]]")]
    [InlineData("[[1,2],3,[[4]]]")]
    [InlineData("[ 1 ,\n2\t,\r3 , 4 ]")]
    [InlineData("[1,-2,3e0,-4E+0]")]
    [InlineData("[1.0,2.5,-0.5,0]")]
    [InlineData("[1,2,3,[4]]")]
    [InlineData("[\"NaN\",1,\"Infinity\",\"-Infinity\"]")]
    [InlineData("[1,,2,3]")]
    [InlineData("[1,2,3,4,]")]
    [InlineData("[1,2,3,]]")]
    [InlineData("[1 2,3,4]")]
    [InlineData("[1,2,3,4x]")]
    [InlineData("[1,2,3,4")]
    [InlineData("[1,2,3,4]]")]
    [InlineData("[true,false,true,false]")]
    [InlineData("[true,false,true,1]")]
    [InlineData("[-0,-1,255,256]")]
    [InlineData("[65504,65520,1e38,3.5e38]")]
    [InlineData("[1,2,3,1e400]")]
    [InlineData("[1,2,3,1e]")]
    [InlineData("[1,2,3,1E+]")]
    [InlineData("[1,2e-0,3E+1,4e-99999]")]
    [InlineData("[1e99999999999,2,3,4]")]
    public void GatewayAndWorker_EdgeArraysOfEveryNumericType_Agree(string data)
    {
        foreach (var datatype in (string[])["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64"])
        {
            var body = Encoding.UTF8.GetBytes(Input(datatype, "[4]", data));
            var refusal = InferBodyReader.Validate(body, null, out _);
            BadRequestException? decodeError = null;
            try
            {
                InferBodyReader.Decode(body).Dispose();
            }
            catch (BadRequestException ex)
            {
                decodeError = ex;
            }

            Assert.True((refusal?.Message, refusal?.Field) == (decodeError?.Message, decodeError?.Field),
                $"{datatype} {data}: gateway {refusal?.Message ?? "accepts"}; worker {decodeError?.Message ?? "accepts"}");
        }
    }

    [Fact]
    public void Validate_ValidNumericBody_TakesTheAllocationFreePass()
    {
        var body = Encoding.UTF8.GetBytes(Input("FP32", "[2,3]", "[[1,2,3],[4,5,\"NaN\"]]"));

        Assert.True(InferBodyReader.TryCheck(body, null, out var counts));
        Assert.Equal(new InferBodyCounts(1, 6, 0), counts);
    }

    [Fact]
    public void Validate_HeaderLongerThanTheBody_RefusesNamingTheHeader()
    {
        var body = Encoding.UTF8.GetBytes(Binary("FP32", "[1]", 4));

        var refusal = InferBodyReader.Validate(body, body.Length + 1, out _);

        Assert.Equal(InferBodyReader.BinaryHeader, refusal?.Field);
    }

    [Fact]
    public void GatewayAndWorker_InvalidUtf8_RefuseWithTheSameProblem()
    {
        var body = Bytes(RawBytes(Input("STRING", "[1]", "[\"\u00FF\"]")));

        var refusal = InferBodyReader.Validate(body, null, out _);
        var decodeError = Assert.Throws<BadRequestException>(() => InferBodyReader.Decode(body).Dispose());

        Assert.Equal((ProblemTitles.InvalidInferenceRequest, "body"), (refusal?.Title, refusal?.Field));
        Assert.Equal((refusal!.Title, refusal.Field, refusal.Message), (decodeError.Title, decodeError.Field, decodeError.Message));
        Assert.Contains("not valid UTF-8", refusal.Message, StringComparison.Ordinal);
    }

    /// <summary>Marks a case whose text holds raw bytes (the char U+00FF stands for the byte 0xFF), not UTF-8 text.</summary>
    private static string RawBytes(string latin1) => RawPrefix + latin1;

    private const string RawPrefix = "raw:";

    /// <summary>A case's bytes: UTF-8 of its text, or, for a <see cref="RawBytes"/>, each char as one byte.</summary>
    private static byte[] Bytes(string json) =>
        json.StartsWith(RawPrefix, StringComparison.Ordinal) ? Encoding.Latin1.GetBytes(json[RawPrefix.Length..]) : Encoding.UTF8.GetBytes(json);

    private static string Input(string datatype, string shape, string data) =>
        $$$"""{"inputs":[{"name":"x","shape":{{{shape}}},"datatype":"{{{datatype}}}","data":{{{data}}}}]}""";

    private static string Binary(string datatype, string shape, long size) =>
        $$$"""{"inputs":[{"name":"x","shape":{{{shape}}},"datatype":"{{{datatype}}}","parameters":{"binary_data_size":{{{size}}}}}]}""";
}
