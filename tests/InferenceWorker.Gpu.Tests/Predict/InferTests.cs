using System.Text.Json;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.InferenceWorker.Tests.Management;
using BenchPlatform.Protocol.Problems;
using BenchPlatform.TestCommon;

namespace BenchPlatform.InferenceWorker.Tests.Predict;

[Collection(InferenceCollection.Name)]
public sealed class InferTests(PostgresFixture postgres, RedisFixture redis)
{
    private async Task<WorkerHost> HostWith(params (string Name, byte[] Bytes)[] models)
    {
        var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        foreach (var (name, bytes) in models)
        {
            await host.UploadOkAsync(name, bytes);
        }

        return host;
    }

    [Fact]
    public async Task Infer_Linear_ReturnsXwPlusBForEveryRow()
    {
        await using var host = await HostWith(("linear", SampleModels.Linear()));

        var call = await host.InferAsync("linear", """{"id":"r1","inputs":[{"name":"x","shape":[2,4],"datatype":"FP32","data":[[1,2,3,4],[0,0,0,1]]}]}""");

        Assert.Equal(200, call.Status);
        Assert.Equal("r1", call.Json.GetProperty("id").GetString());
        Assert.Equal("linear", call.Json.GetProperty("model_name").GetString());
        Assert.Equal("1", call.Json.GetProperty("model_version").GetString());
        var y = call.Output("y");
        Assert.Equal("FP32", y.GetProperty("datatype").GetString());
        Assert.Equal("[2,2]", y.GetProperty("shape").GetRawText());
        float[] x = [1, 2, 3, 4, 0, 0, 0, 1];
        var expected = new float[4];
        for (var r = 0; r < 2; r++)
        {
            for (var c = 0; c < 2; c++)
            {
                var sum = SampleModels.LinearBias[c];
                for (var k = 0; k < 4; k++)
                {
                    sum += x[(r * 4) + k] * SampleModels.LinearWeights[(k * 2) + c];
                }

                expected[(r * 2) + c] = sum;
            }
        }

        Assert.Equal(expected, call.Floats("y"));
        Assert.False(call.Cached);
        Assert.True(call.Json.GetProperty("parameters").GetProperty("inference_time_ms").GetDouble() >= 0);
    }

    [Fact]
    public async Task Infer_EveryDatatype_RoundTripsValuesAndNames()
    {
        await using var host = await HostWith(("types", SampleModels.AllTypes()));
        var values = new Dictionary<string, string>
        {
            ["BOOL"] = "[true,false]",
            ["INT8"] = "[-128,127]",
            ["INT16"] = "[-32768,32767]",
            ["INT32"] = "[-2147483648,2147483647]",
            ["INT64"] = "[-9223372036854775808,9223372036854775807]",
            ["UINT8"] = "[0,255]",
            ["UINT16"] = "[0,65535]",
            ["UINT32"] = "[0,4294967295]",
            ["UINT64"] = "[0,18446744073709551615]",
            ["FP16"] = "[0.5,-2]",
            ["FP32"] = "[1.5,-0.25]",
            ["FP64"] = "[3.141592653589793,-1E-300]",
            ["STRING"] = """["héllo","wörld"]""",
        };
        var inputs = string.Join(",", values.Select(v => $$"""{"name":"in_{{v.Key}}","shape":[1,2],"datatype":"{{v.Key}}","data":{{v.Value}}}"""));

        var call = await host.InferAsync("types", $$"""{"inputs":[{{inputs}}]}""");

        Assert.True(call.Status == 200, call.Body);
        foreach (var (type, data) in values)
        {
            var output = call.Output("out_" + type);
            Assert.Equal(type, output.GetProperty("datatype").GetString());
            Assert.Equal("[1,2]", output.GetProperty("shape").GetRawText());
            Assert.Equal(JsonDocument.Parse(data).RootElement.GetRawText(), output.GetProperty("data").GetRawText());
        }
    }

    [Fact]
    public async Task Infer_Int64AndBool_WhereAndAnyAreComputed()
    {
        await using var host = await HostWith(("ib", SampleModels.Int64Bool()));

        var call = await host.InferAsync("ib", """
            {"inputs":[{"name":"ids","shape":[2,4],"datatype":"INT64","data":[10,20,30,9007199254740993,1,2,3,4]},
                       {"name":"mask","shape":[2,4],"datatype":"BOOL","data":[true,false,true,true,false,false,false,false]}]}
            """);

        Assert.Equal(200, call.Status);
        Assert.Equal("[10,-1,30,9007199254740993,-1,-1,-1,-1]", call.Output("kept").GetProperty("data").GetRawText());
        Assert.Equal("[true,false]", call.Output("any").GetProperty("data").GetRawText());
        Assert.Equal("BOOL", call.Output("any").GetProperty("datatype").GetString());
    }

    [Fact]
    public async Task Infer_TwoInputsAskingForOneOutput_ReturnsOnlyThatOutput()
    {
        await using var host = await HostWith(("two", SampleModels.TwoInTwoOut()));

        var call = await host.InferAsync("two", """
            {"inputs":[{"name":"b","shape":[1,3],"datatype":"FP32","data":[1,2,3]},{"name":"a","shape":[1,3],"datatype":"FP32","data":[4,5,6]}],
             "outputs":[{"name":"product"}]}
            """);

        Assert.Equal(200, call.Status);
        var outputs = call.Json.GetProperty("outputs");
        Assert.Equal(1, outputs.GetArrayLength());
        Assert.Equal([4f, 10, 18], call.Floats("product"));
    }

    [Fact]
    public async Task Infer_VersionedRoute_UsesThatVersion()
    {
        await using var host = await HostWith(("v", SampleModels.Linear()), ("v", SampleModels.Dynamic()));

        var v1 = await host.InferAsync("v", ModelsApiTests.LinearRequest, version: "1");
        var v2 = await host.InferAsync("v", ModelsApiTests.LinearRequest, version: "2");
        var v9 = await host.InferAsync("v", ModelsApiTests.LinearRequest, version: "9");

        Assert.Equal(200, v1.Status);
        Assert.Equal([2, 4, 6, 8], v2.Floats("scaled"));
        Assert.Equal(404, v9.Status);
    }

    [Fact]
    public async Task Infer_FirstRequest_ServerTimingNamesQueueCacheInferAndLoad()
    {
        await using var host = await HostWith(("linear", SampleModels.Linear()));

        var first = await host.InferAsync("linear", ModelsApiTests.LinearRequest);
        var second = await host.InferAsync("linear", """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[9,9,9,9]}]}""");

        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(first.ServerTiming, @"^queue;dur=[\d.]+, cache;desc=miss, infer;dur=[\d.]+, load;dur=[\d.]+$"), first.ServerTiming);
        Assert.Matches(@"^queue;dur=[\d.]+, cache;desc=miss, infer;dur=[\d.]+$", second.ServerTiming);
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"z","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", "Input 'z' is not an input of model 'linear'; it expects x (FP32 [-1, 4])")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,5],"datatype":"FP32","data":[1,2,3,4,5]}]}""", "Input 'x' has shape [1, 5]; model 'linear' expects [-1, 4]")]
    [InlineData("""{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":[1,2,3,4]}]}""", "Input 'x' has shape [4]; model 'linear' expects [-1, 4]")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,4],"datatype":"INT64","data":[1,2,3,4]}]}""", "Input 'x' has datatype INT64; model 'linear' expects FP32")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3]}]}""", "input 'x' has 3 values in \"data\" but shape [1, 4] needs 4")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4,5]}]}""", "input 'x' has 5 values in \"data\" but shape [1, 4] needs 4")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,"a",3,4]}]}""", "Element 1 of input 'x' is not a valid FP32 value")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,4],"datatype":"FLOAT","data":[1,2,3,4]}]}""", "input 'x' has datatype 'FLOAT', which is not one of")]
    [InlineData("""{"inputs":[{"name":"x","shape":[0,4],"datatype":"FP32","data":[]}]}""", "inputs[0].shape[0] is the number 0; every dimension must be an integer of at least 1")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[NaN,1,2,3]}]}""", "not valid JSON")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[Infinity,1,2,3]}]}""", "not valid JSON")]
    [InlineData("""{"inputs":[]}""", "'inputs' is required")]
    [InlineData("""[1,2]""", "must be a JSON object")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"outputs":[{"name":"q"}]}""", "Output 'q' is not an output of model 'linear'")]
    public async Task Infer_BadInput_Returns400ProblemNamingTheInputAndTheExpectation(string body, string expected)
    {
        await using var host = await HostWith(("linear", SampleModels.Linear()));

        var call = await host.InferAsync("linear", body);

        Assert.Equal(400, call.Status);
        Assert.Equal("application/problem+json", call.ContentType);
        Assert.Equal(ProblemTypes.Of(call.Title), call.Type);
        Assert.StartsWith("/docs/api.md#", call.Type, StringComparison.Ordinal);
        Assert.Contains(expected, call.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x78, 0xFF })] // a name with a byte that is never UTF-8
    [InlineData(new byte[] { 0x78, 0xE2, 0x82 })] // a name whose last character is cut short
    public async Task Infer_NameNotUtf8_Returns400ProblemNamingTheBody(byte[] name)
    {
        await using var host = await HostWith(("linear", SampleModels.Linear()));
        byte[] body = [.. "{\"inputs\":[{\"name\":\""u8, .. name, .. "\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        using var response = await host.Client.PostAsync("v2/models/linear/infer", content);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(ProblemTitles.InvalidInferenceRequest, problem.GetProperty("title").GetString());
        Assert.Equal("/docs/api.md#invalid-inference-request", problem.GetProperty("type").GetString());
        Assert.Contains("not valid UTF-8", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_RefusedForAClientThatAcceptsOnlyHtml_StillAnswersTheTypedProblem()
    {
        await using var host = await HostWith();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v2/models/missing/infer")
        {
            Content = new StringContent(ModelsApiTests.LinearRequest, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("text/html");

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("/docs/api.md#model-not-found", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Infer_MissingInput_Returns400NamingIt()
    {
        await using var host = await HostWith(("two", SampleModels.TwoInTwoOut()));

        var call = await host.InferAsync("two", """{"inputs":[{"name":"a","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""");

        Assert.Equal(400, call.Status);
        Assert.Contains("Input 'b' is missing", call.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_NaNAndInfinityAsStrings_FlowThroughTheModelAndComeBackAsNullNeverAsStrings()
    {
        await using var host = await HostWith(("dyn", SampleModels.Dynamic()));

        var call = await host.InferAsync("dyn", """{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":["NaN","Infinity","-Infinity"]}]}""");

        Assert.Equal(200, call.Status);
        Assert.Equal("[null,null,null]", call.Output("scaled").GetProperty("data").GetRawText());
        Assert.Equal("[null]", call.Output("total").GetProperty("data").GetRawText());
    }

    [Theory]
    [InlineData("FP32", "1e999", "the number 1e999, outside the FP32 range (±3.4028235E+38)")]
    [InlineData("FP32", "-1e39", "the number -1e39, outside the FP32 range (±3.4028235E+38)")]
    [InlineData("FP64", "1e999", "the number 1e999, outside the FP64 range (±1.7976931348623157E+308)")]
    [InlineData("FP16", "65536", "the number 65536, outside the FP16 range (±65504)")]
    public async Task Infer_NumberOutsideTheFloatRange_Returns400NamingTheRange(string type, string number, string expected)
    {
        await using var host = await HostWith(("types", SampleModels.AllTypes()));

        // The same element alone (the fast decoder) and after a named float (the general path): both refuse it.
        foreach (var data in new[] { $"[0,{number}]", $"[\"NaN\",{number}]" })
        {
            var call = await host.InferAsync("types", $$"""{"inputs":[{"name":"in_{{type}}","shape":[1,2],"datatype":"{{type}}","data":{{data}}}]}""");

            Assert.Equal(400, call.Status);
            Assert.Equal("application/problem+json", call.ContentType);
            Assert.Contains($"Element 1 of input 'in_{type}' is {expected}", call.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Infer_JsonOnlyRequest_AnswersApplicationJsonWithoutTheBinaryHeaderOnMissAndHit()
    {
        await using var host = await HostWith(("linear", SampleModels.Linear()));

        var miss = await host.InferAsync("linear", ModelsApiTests.LinearRequest);
        var hit = await host.InferAsync("linear", ModelsApiTests.LinearRequest);

        Assert.Contains("cache;desc=miss", miss.ServerTiming, StringComparison.Ordinal);
        Assert.Contains("cache;desc=hit", hit.ServerTiming, StringComparison.Ordinal);
        foreach (var call in new[] { miss, hit })
        {
            Assert.True(call.Status == 200, call.Body);
            Assert.True(call.ContentType == "application/json", $"{call.ServerTiming}: {call.ContentType}");
            Assert.False(call.BinaryHeader, "a JSON answer carries no Inference-Header-Content-Length");
            Assert.Equal(call.Body.Length, JsonDocument.Parse(call.Body).RootElement.GetRawText().Length);
        }
    }

    [Fact]
    public async Task Infer_BatchOverTheModelMaximum_Returns400NamingTheLimit()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        await host.UploadOkAsync("small", SampleModels.Linear(), "&max_batch_size=8");
        var data = string.Join(",", Enumerable.Repeat("1", 9 * 4));

        var over = await host.InferAsync("small", $$"""{"inputs":[{"name":"x","shape":[9,4],"datatype":"FP32","data":[{{data}}]}]}""");
        var at = await host.InferAsync("small", $$"""{"inputs":[{"name":"x","shape":[8,4],"datatype":"FP32","data":[{{data[..(8 * 4 * 2 - 1)]}}]}]}""");

        Assert.Equal(400, over.Status);
        Assert.Contains("Input 'x' has a batch of 9 (first dimension); model 'small' accepts at most 8 per request", over.Detail, StringComparison.Ordinal);
        Assert.Equal(200, at.Status);
    }

    [Fact]
    public async Task Infer_UnknownModel_Returns404()
    {
        await using var host = await HostWith();

        var call = await host.InferAsync("missing", ModelsApiTests.LinearRequest);

        Assert.Equal(404, call.Status);
        Assert.Equal("/docs/api.md#model-not-found", call.Type);
        Assert.Contains("No model named 'missing'", call.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V2Metadata_And_Ready_DescribeTheModel()
    {
        await using var host = await HostWith(("linear", SampleModels.Linear()));

        var metadata = JsonDocument.Parse(await host.Client.GetStringAsync("v2/models/linear")).RootElement;
        var readyBefore = JsonDocument.Parse(await host.Client.GetStringAsync("v2/models/linear/ready")).RootElement;
        await host.InferAsync("linear", ModelsApiTests.LinearRequest);
        var readyAfter = JsonDocument.Parse(await host.Client.GetStringAsync("v2/models/linear/ready")).RootElement;

        Assert.Equal("""["1"]""", metadata.GetProperty("versions").GetRawText());
        Assert.Equal("x", metadata.GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.True(readyBefore.GetProperty("ready").GetBoolean());
        Assert.False(readyBefore.GetProperty("loaded").GetBoolean());
        Assert.True(readyAfter.GetProperty("loaded").GetBoolean());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await host.Client.GetAsync("v2/models/none/ready")).StatusCode);
        Assert.True((await host.Client.GetAsync("v2/health/ready")).IsSuccessStatusCode);
    }
}
