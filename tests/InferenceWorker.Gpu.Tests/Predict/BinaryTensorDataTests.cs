using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.TestCommon;

namespace BenchPlatform.InferenceWorker.Tests.Predict;

/// <summary>The binary tensor data extension (Inference-Header-Content-Length) against the real worker.</summary>
[Collection(InferenceCollection.Name)]
public sealed class BinaryTensorDataTests(PostgresFixture postgres, RedisFixture redis)
{
    private async Task<WorkerHost> HostWith(string name, byte[] model)
    {
        var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        await host.UploadOkAsync(name, model);
        return host;
    }

    [Fact]
    public async Task Infer_BinaryInputsAndBinaryOutputs_EveryDatatypeRoundTripsByteForByte()
    {
        await using var host = await HostWith("types", SampleModels.AllTypes());
        var blobs = new Dictionary<string, byte[]>
        {
            ["BOOL"] = [1, 0],
            ["INT8"] = Bytes<sbyte>(-128, 127),
            ["INT16"] = Bytes<short>(-32768, 32767),
            ["INT32"] = Bytes(int.MinValue, int.MaxValue),
            ["INT64"] = Bytes(long.MinValue, long.MaxValue),
            ["UINT8"] = [0, 255],
            ["UINT16"] = Bytes<ushort>(0, 65535),
            ["UINT32"] = Bytes(0u, uint.MaxValue),
            ["UINT64"] = Bytes(0ul, ulong.MaxValue),
            ["FP16"] = Bytes((Half)0.5, (Half)(-2)),
            ["FP32"] = Bytes(1.5f, float.NaN),
            ["FP64"] = Bytes(Math.PI, double.NegativeInfinity),
            ["STRING"] = Strings("héllo", ""),
        };
        var inputs = string.Join(",", blobs.Select(b =>
            "{\"name\":\"in_" + b.Key + "\",\"shape\":[1,2],\"datatype\":\"" + b.Key + "\",\"parameters\":{\"binary_data_size\":" + b.Value.Length + "}}"));

        var call = await BinaryInferAsync(host, "types", $$$"""{"inputs":[{{{inputs}}}],"parameters":{"binary_data_output":true,"cache":false}}""",
            [.. blobs.Values.SelectMany(b => b)]);

        Assert.True(call.Status == 200, call.Text);
        Assert.Equal("application/octet-stream", call.ContentType);
        var offset = 0;
        foreach (var output in call.Json.GetProperty("outputs").EnumerateArray())
        {
            var type = output.GetProperty("datatype").GetString()!;
            Assert.Equal("out_" + type, output.GetProperty("name").GetString());
            Assert.False(output.TryGetProperty("data", out _));
            var size = output.GetProperty("parameters").GetProperty("binary_data_size").GetInt32();
            Assert.Equal(blobs[type], call.Binary.AsSpan(offset, size).ToArray());
            offset += size;
        }

        Assert.Equal(call.Binary.Length, offset);
    }

    [Fact]
    public async Task Infer_MixedBinaryAndJsonInputsWithOneBinaryOutput_EqualsTheAllJsonAnswer()
    {
        await using var host = await HostWith("two", SampleModels.TwoInTwoOut());
        var json = await host.InferAsync("two", """
            {"inputs":[{"name":"a","shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6]},
                       {"name":"b","shape":[2,3],"datatype":"FP32","data":[0.5,-1,2,3.25,0,1e-3]}],"parameters":{"cache":false}}
            """);

        var mixed = await BinaryInferAsync(host, "two", """
            {"inputs":[{"name":"a","shape":[2,3],"datatype":"FP32","parameters":{"binary_data_size":24}},
                       {"name":"b","shape":[2,3],"datatype":"FP32","data":[0.5,-1,2,3.25,0,1e-3]}],
             "outputs":[{"name":"sum","parameters":{"binary_data":true}},{"name":"product"}],"parameters":{"cache":false}}
            """, Bytes(1f, 2, 3, 4, 5, 6));

        Assert.True(mixed.Status == 200, mixed.Text);
        Assert.Equal(json.Floats("sum"), MemoryMarshal.Cast<byte, float>(mixed.Binary).ToArray());
        var product = mixed.Json.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "product");
        Assert.Equal(json.Output("product").GetProperty("data").GetRawText(), product.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Infer_JsonRequestAskingForBinaryOutput_ReturnsRawFloatsWithoutTheRequestHeader()
    {
        await using var host = await HostWith("linear", SampleModels.Linear());
        const string Inputs = "\"inputs\":[{\"name\":\"x\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[[1,2,3,4],[0,0,0,1]]}]";
        var json = await host.InferAsync("linear", "{" + Inputs + ",\"parameters\":{\"cache\":false}}");

        using var content = new StringContent("{" + Inputs + ",\"parameters\":{\"binary_data_output\":true,\"cache\":false}}", Encoding.UTF8, "application/json");
        using var response = await host.Client.PostAsync("v2/models/linear/infer", content);
        var call = await BinaryCall.ReadAsync(response);

        Assert.Equal(200, call.Status);
        Assert.Equal(json.Floats("y"), MemoryMarshal.Cast<byte, float>(call.Binary).ToArray());
        Assert.Equal(16, call.Json.GetProperty("outputs")[0].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
    }

    [Fact]
    public async Task Infer_SameBinaryRequestTwice_SecondIsACacheHitWithTheSameBytes()
    {
        await using var host = await HostWith("linear", SampleModels.Linear());
        const string Header = """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}],"parameters":{"binary_data_output":true}}""";

        var first = await BinaryInferAsync(host, "linear", Header, Bytes(1f, 2, 3, 4));
        var second = await BinaryInferAsync(host, "linear", Header, Bytes(1f, 2, 3, 4));
        var asJson = await host.InferAsync("linear", """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""");

        Assert.False(first.Json.GetProperty("parameters").GetProperty("cached").GetBoolean());
        Assert.True(second.Json.GetProperty("parameters").GetProperty("cached").GetBoolean());
        Assert.Equal(first.Binary, second.Binary);
        Assert.False(asJson.Cached); // JSON outputs are cached apart from binary ones
        Assert.Equal(MemoryMarshal.Cast<byte, float>(first.Binary).ToArray(), asJson.Floats("y"));
    }

    public static TheoryData<string, string, byte[], string> BadBinaryBodies => new()
    {
        { "-1", Linear(16), Bytes(1f, 2, 3, 4), "it must be one non-negative integer" },
        { "abc", Linear(16), Bytes(1f, 2, 3, 4), "it must be one non-negative integer" },
        { "99999999999", Linear(16), Bytes(1f, 2, 3, 4), "it must be one non-negative integer" },
        { "0", Linear(16), Bytes(1f, 2, 3, 4), "between 1 and the body length" },
        { "HEADER+100", Linear(16), Bytes(1f, 2, 3, 4), "between 1 and the body length" },
        { "HEADER-5", Linear(16), Bytes(1f, 2, 3, 4), "not valid JSON" },
        { "HEADER", Linear(12), Bytes(1f, 2, 3), "has binary_data_size 12 but shape [1, 4] of FP32 needs 16 bytes" },
        { "HEADER", Linear(16), Bytes(1f, 2, 3), "has binary_data_size 16 but only 12 binary bytes are left" },
        { "HEADER", Linear(16), Bytes(1f, 2, 3, 4, 5), "the inputs' binary_data_size add up to 16; they must match exactly" },
        { "HEADER", Linear(-16), Bytes(1f, 2, 3, 4), "binary_data_size must be a non-negative integer" },
        { "HEADER", Linear(1L << 40), Bytes(1f, 2, 3, 4), "binary_data_size must be a non-negative integer" },
        { "HEADER", """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4],"parameters":{"binary_data_size":16}}]}""", Bytes(1f, 2, 3, 4), "has both \"data\" and parameters.binary_data_size" },
        { "HEADER", """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":"16"}}]}""", Bytes(1f, 2, 3, 4), "binary_data_size must be a non-negative integer" },
    };

    [Theory]
    [MemberData(nameof(BadBinaryBodies))]
    public async Task Infer_BadBinaryBody_Returns400ProblemSayingWhatToChange(string headerLength, string header, byte[] binary, string expected)
    {
        await using var host = await HostWith("linear", SampleModels.Linear());
        var length = Encoding.UTF8.GetByteCount(header);
        var value = headerLength switch
        {
            "HEADER" => length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "HEADER+100" => (length + 100).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "HEADER-5" => (length - 5).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => headerLength,
        };

        var call = await BinaryInferAsync(host, "linear", header, binary, value);

        Assert.Equal(400, call.Status);
        Assert.Equal("application/problem+json", call.ContentType);
        Assert.Contains(expected, call.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BOOL", new byte[] { 1, 2 }, "is the byte 2; BOOL binary data holds one byte per element, 0 or 1")]
    [InlineData("STRING", new byte[] { 9, 0, 0, 0, 65 }, "element 0 declares 9 bytes but only 1 are left")]
    [InlineData("STRING", new byte[] { 1, 0, 0, 0, 65 }, "its binary data ends at element 1 of the 2")]
    [InlineData("STRING", new byte[] { 1, 0, 0, 0, 0xFF, 0, 0, 0, 0 }, "element 0 is not valid UTF-8")]
    [InlineData("STRING", new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 7 }, "take 8 bytes but binary_data_size is 9")]
    public async Task Infer_BadBinaryElements_Returns400NamingTheElement(string type, byte[] binary, string expected)
    {
        await using var host = await HostWith("types", SampleModels.AllTypes());
        var header = "{\"inputs\":[{\"name\":\"in_" + type + "\",\"shape\":[1,2],\"datatype\":\"" + type + "\",\"parameters\":{\"binary_data_size\":" + binary.Length + "}}]}";

        var call = await BinaryInferAsync(host, "types", header, binary);

        Assert.Equal(400, call.Status);
        Assert.Contains(expected, call.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static string Linear(long size) =>
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":" + size + "}}]}";

    private static async Task<BinaryCall> BinaryInferAsync(WorkerHost host, string model, string header, byte[] binary, string? headerLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        using var content = new ByteArrayContent([.. json, .. binary]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v2/models/{model}/infer") { Content = content };
        request.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", headerLength ?? json.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await host.Client.SendAsync(request);
        return await BinaryCall.ReadAsync(response);
    }

    private static byte[] Bytes<T>(params T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static byte[] Strings(params string[] values)
    {
        var bytes = new List<byte>();
        foreach (var value in values)
        {
            var utf8 = Encoding.UTF8.GetBytes(value);
            var length = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
            bytes.AddRange(length);
            bytes.AddRange(utf8);
        }

        return [.. bytes];
    }

    private sealed record BinaryCall(int Status, string? ContentType, JsonElement Json, byte[] Binary, string Text)
    {
        public static async Task<BinaryCall> ReadAsync(HttpResponseMessage response)
        {
            var body = await response.Content.ReadAsByteArrayAsync();
            var jsonLength = response.Headers.TryGetValues("Inference-Header-Content-Length", out var values)
                ? int.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture)
                : body.Length;
            return new BinaryCall((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType,
                JsonDocument.Parse(body.AsMemory(0, jsonLength)).RootElement.Clone(), body[jsonLength..], Encoding.UTF8.GetString(body));
        }
    }
}
