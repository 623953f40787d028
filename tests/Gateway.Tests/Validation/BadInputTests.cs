using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using BenchPlatform.Gateway.Tests.Infrastructure;
using BenchPlatform.Protocol.Problems;
using static BenchPlatform.Gateway.Tests.Infrastructure.Requests;

namespace BenchPlatform.Gateway.Tests.Validation;

/// <summary>Every caller mistake in issue 3's list gets a 4xx problem that names the field, and never reaches a replica.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private TestReplica _inference = null!;
    private TestReplica _sandbox = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _inference = await TestReplica.StartAsync("inference-0");
        _sandbox = await TestReplica.StartAsync("sandbox-0");
        _gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["services:inference:http:0"] = _inference.Address.ToString(),
            ["services:sandbox:http:0"] = _sandbox.Address.ToString(),
            ["Gateway:MaxJsonBodyBytes"] = "4096",
            ["Gateway:MaxUploadBodyBytes"] = "8192",
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _inference.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    private async Task<JsonElement> AssertRejectedAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        Assert.Equal(status, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal(ProblemTypes.Of(problem.GetProperty("title").GetString()), problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Equal(0, _inference.Requests + _sandbox.Requests);
        return problem;
    }

    private Task<HttpResponseMessage> InferAsync(string json) => _gateway.Client.SendAsync(Infer("mlp", json));

    [Fact]
    public async Task Infer_MalformedJson_Returns400NamingTheBody()
    {
        using var response = await InferAsync("{\"inputs\": [ {\"name\": \"x\" ,, ] }");

        var problem = await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "body");
        Assert.Equal("/docs/api.md#invalid-inference-request", problem.GetProperty("type").GetString());
        Assert.Contains("not valid JSON", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_NameNotUtf8_Returns400AsTheWorkerWouldNamingTheBody()
    {
        byte[] body = [.. "{\"inputs\":[{\"name\":\"x"u8, 0xFF, .. "\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        using var response = await _gateway.Client.PostAsync("/v2/models/mlp/infer", content);

        var problem = await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "body");
        Assert.Equal(ProblemTitles.InvalidInferenceRequest, problem.GetProperty("title").GetString());
        Assert.Contains("not valid UTF-8", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_TruncatedJson_Returns400()
    {
        using var response = await InferAsync(ValidInfer[..30]);

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "body");
    }

    [Fact]
    public async Task Infer_BodyShorterThanContentLength_IsDroppedNotForwarded()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _gateway.Port);
        var body = Encoding.UTF8.GetBytes(ValidInfer[..20]);
        var head = $"POST /v2/models/mlp/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {ValidInfer.Length}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        await socket.SendAsync(body);
        socket.Shutdown(SocketShutdown.Send);

        var answer = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Kestrel may reset rather than close the connection it gave up on; either way nothing hangs.
        }

        // Kestrel reads the client's FIN as the connection ending, so there may be nobody left to answer:
        // what matters is no hang, no 5xx, and nothing half-read sent on to a replica.
        var text = answer.ToString();
        Assert.True(text.Length == 0 || text.StartsWith("HTTP/1.1 400", StringComparison.Ordinal), text);
        Assert.Equal(0, _inference.Requests);
        using var next = await InferAsync(ValidInfer);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Infer_WrongContentType_Returns415NamingContentType(string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/mlp/infer")
        {
            Content = new StringContent(ValidInfer, Encoding.UTF8, contentType),
        };

        using var response = await _gateway.Client.SendAsync(request);

        await AssertRejectedAsync(response, HttpStatusCode.UnsupportedMediaType, "Content-Type");
    }

    [Fact]
    public async Task Request_HugeHeader_Returns431()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/health/ready");
        request.Headers.Add("X-Huge", new string('h', 64 * 1024));

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Equal(0, _inference.Requests);
    }

    [Fact]
    public async Task Infer_HugeBody_Returns413()
    {
        var data = string.Join(",", Enumerable.Repeat("1.0", 4000));

        using var response = await InferAsync($"{{\"inputs\":[{{\"name\":\"x\",\"shape\":[4000],\"datatype\":\"FP32\",\"data\":[{data}]}}]}}");

        await AssertRejectedAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
    }

    [Fact]
    public async Task Infer_HugeChunkedBody_Returns413()
    {
        var data = string.Join(",", Enumerable.Repeat("1.0", 4000));
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($"{{\"inputs\":[{{\"data\":[{data}]}}]}}")));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/mlp/infer") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _gateway.Client.SendAsync(request);

        await AssertRejectedAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
    }

    [Fact]
    public async Task UnknownRoute_Returns404Problem()
    {
        using var response = await _gateway.Client.GetAsync("/v3/whatever");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Contains("/v3/whatever", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("the API reference (docs/api.md in the repository)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(9_000)]
    [InlineData(40_000)]
    public async Task OverlongRequestTarget_Returns414ProblemNamingTheCap(int length)
    {
        var path = "/v1/models?name=" + new string('m', length);

        using var response = await _gateway.Client.PostAsync(path, new ByteArrayContent([1, 2, 3]));

        await AssertRejectedAsync(response, HttpStatusCode.RequestUriTooLong, "path");
    }

    [Theory]
    [InlineData("GET", "/v1/chat/completions")]
    [InlineData("PATCH", "/v1/llm/stats")]
    [InlineData("POST", "/v1/scale/inference")]
    [InlineData("DELETE", "/v1/warmup")]
    public async Task WrongMethod_Returns405ProblemNamingTheMethod(string method, string path)
    {
        using var response = await _gateway.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(405, problem.GetProperty("status").GetInt32());
        Assert.Contains(method, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotEmpty(response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("{\"id\":\"a\"}", "inputs")]
    [InlineData("{\"inputs\":[]}", "inputs")]
    [InlineData("{\"inputs\":{}}", "inputs")]
    [InlineData("[1,2]", "body")]
    [InlineData("{\"inputs\":[{\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}", "inputs[0].name")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FLOAT\",\"data\":[1]}]}", "inputs[0].datatype")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"data\":[1]}]}", "inputs[0].shape")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,\"4\"],\"datatype\":\"FP32\",\"data\":[1]}]}", "inputs[0].shape[1]")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\"}]}", "inputs[0].data")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}", "inputs[0].data")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"BOOL\",\"data\":[\"yes\"]}]}", "inputs[0].data")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],\"outputs\":[{}]}", "outputs[0].name")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],\"parameters\":5}", "parameters")]
    public async Task Infer_WrongShapeOfRequest_Returns400NamingTheField(string json, string field)
    {
        using var response = await InferAsync(json);

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Infer_MissingInputs_Returns400NamingInputs()
    {
        using var response = await InferAsync("{\"outputs\":[{\"name\":\"y\"}]}");

        var problem = await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "inputs");
        Assert.Contains("'inputs' is required", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_NonNumericData_Returns400NamingTheInputData()
    {
        using var response = await InferAsync("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,\"three\",4]}]}");

        var problem = await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "inputs[0].data");
        Assert.Contains("\"three\"", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_ShapeOverflowingInt64_Returns400NamingTheShape()
    {
        using var response = await InferAsync("{\"inputs\":[{\"name\":\"x\",\"shape\":[4294967296,4294967296],\"datatype\":\"FP32\",\"data\":[1]}]}");

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "inputs[0].shape");
    }

    [Fact]
    public async Task Infer_NegativeDimension_Returns400NamingTheDimension()
    {
        using var response = await InferAsync("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,-4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}");

        var problem = await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "inputs[0].shape[1]");
        Assert.Contains("-4", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_NestedDataMatchingShape_IsForwarded()
    {
        using var response = await InferAsync("{\"inputs\":[{\"name\":\"x\",\"shape\":[2,2],\"datatype\":\"INT64\",\"data\":[[1,2],[3,4]]}]}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _inference.Requests);
    }

    [Theory]
    [InlineData("{\"model\":\"m\",\"prompt\":[101,7,42],\"max_tokens\":2}")]
    [InlineData("{\"model\":\"m\",\"prompt\":[\"hi\"],\"max_tokens\":2}")]
    public async Task Completion_PromptAsTokenIdsOrOneString_IsForwarded(string json)
    {
        using var response = await _gateway.Client.PostAsync("/v1/completions", Json(json));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _inference.Requests);
    }

    [Theory]
    [InlineData("/v1/completions", "{\"model\":\"m\",\"prompt\":[1,-2],\"max_tokens\":5}", "prompt")]
    [InlineData("/v1/completions", "{\"model\":\"m\",\"prompt\":[1,\"a\"],\"max_tokens\":5}", "prompt")]
    [InlineData("/v1/completions", "{\"model\":\"m\",\"max_tokens\":5}", "prompt")]
    [InlineData("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":\"5\"}", "max_tokens")]
    [InlineData("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\",\"temperature\":7}", "temperature")]
    [InlineData("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\",\"strategy\":\"magic\"}", "strategy")]
    [InlineData("/v1/completions", "{\"prompt\":\"hi\"}", "model")]
    [InlineData("/v1/completions", "{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}", "prompt")]
    [InlineData("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\",\"n\":17}", "n")]
    [InlineData("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\",\"strategy\":\"best_of_n\",\"stream\":true}", "stream")]
    [InlineData("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[]}", "messages")]
    [InlineData("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", "messages[0].role")]
    [InlineData("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":\"yes\"}", "stream")]
    [InlineData("/v1/blocks/run", "{\"language\":\"python\"}", "code")]
    [InlineData("/v1/blocks/run", "{\"language\":\"python\",\"code\":\"x\",\"inputs\":[1]}", "inputs")]
    [InlineData("/v1/blocks", "{\"language\":\"python\",\"code\":\"x\"}", "name")]
    [InlineData("/v1/blocks/sum/run", "{\"inputs\":\"x\"}", "inputs")]
    [InlineData("/v1/warmup", "{\"models\":\"mlp\"}", "models")]
    public async Task JsonEndpoint_InvalidField_Returns400NamingTheField(string path, string json, string field)
    {
        using var response = await _gateway.Client.PostAsync(path, Json(json));

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Theory]
    [InlineData("{\"min\":5,\"max\":2}", "min")]
    [InlineData("{\"min\":-1}", "min")]
    [InlineData("{}", "min")]
    [InlineData("{\"min\":1,\"max\":null}", "max")]
    [InlineData("{\"min\":null,\"max\":1}", "min")]
    public async Task Scale_InvalidBounds_Returns400NamingTheField(string json, string field)
    {
        using var response = await _gateway.Client.PutAsync("/v1/scale/inference", Json(json));

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Theory]
    [InlineData("/v1/blocks/run")]
    [InlineData("/v2/models/mlp/infer")]
    [InlineData("/v1/completions")]
    public async Task JsonEndpoint_InvalidUtf8InString_Returns400NamingBody(string path)
    {
        // {"code":"<F8 88 80 80 80>"}: JsonDocument accepts it and only fails when the string is read.
        byte[] body = [.. "{\"code\":\""u8, 0xF8, 0x88, 0x80, 0x80, 0x80, .. "\"}"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await _gateway.Client.PostAsync(path, content);

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "body");
    }

    [Theory]
    [InlineData("/v1/completions")]
    [InlineData("/v1/chat/completions")]
    public async Task Completion_NotUtf8_Returns400AsTheWorkerWould(string path)
    {
        byte[] body = [.. "{\"model\":\"tiny-lm\",\"prompt\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await _gateway.Client.PostAsync(path, content);

        var problem = await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "body");
        Assert.Equal(ProblemTitles.InvalidUtf8, problem.GetProperty("title").GetString());
        Assert.Equal(ProblemTypes.Of(ProblemTitles.InvalidUtf8), problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task ModelUpload_NoName_Returns400NamingName()
    {
        using var content = new ByteArrayContent([1, 2, 3]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");

        using var response = await _gateway.Client.PostAsync("/v1/models", content);

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "name");
    }

    [Fact]
    public async Task ModelUpload_JsonContentType_Returns415()
    {
        using var response = await _gateway.Client.PostAsync("/v1/models?name=mlp", Json("{}"));

        await AssertRejectedAsync(response, HttpStatusCode.UnsupportedMediaType, "Content-Type");
    }

    [Fact]
    public async Task ModelUpload_OverCap_Returns413()
    {
        using var content = new ByteArrayContent(new byte[9000]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");

        using var response = await _gateway.Client.PostAsync("/v1/models?name=mlp", content);

        await AssertRejectedAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
    }

    [Fact]
    public async Task ModelUpload_WithinCap_IsStreamedToTheReplica()
    {
        using var content = new ByteArrayContent(new byte[8000]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");

        using var response = await _gateway.Client.PostAsync("/v1/models?name=mlp", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1/models?name=mlp", (await EchoAsync(response)).Path);
    }

    private static ByteArrayContent Zip(int bytes, string mediaType = "application/zip")
    {
        var content = new ByteArrayContent(new byte[bytes]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        return content;
    }

    [Theory]
    [InlineData("/v1/llm/models")]
    [InlineData("/v1/llm/models?name=")]
    [InlineData("/v1/llm/models?name=../etc")]
    public async Task LlmUpload_BadName_Returns400NamingName(string path)
    {
        using var content = Zip(16);

        using var response = await _gateway.Client.PostAsync(path, content);

        var problem = await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "name");
        Assert.Contains("/v1/llm/models?name=", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LlmUpload_JsonContentType_Returns415()
    {
        using var response = await _gateway.Client.PostAsync("/v1/llm/models?name=my-lm", Json("{}"));

        var problem = await AssertRejectedAsync(response, HttpStatusCode.UnsupportedMediaType, "Content-Type");
        Assert.Contains("zip", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LlmUpload_EmptyBody_Returns400NamingTheBody()
    {
        using var content = Zip(0);

        using var response = await _gateway.Client.PostAsync("/v1/llm/models?name=my-lm", content);

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "body");
    }

    [Fact]
    public async Task LlmUpload_OverCap_Returns413()
    {
        using var content = Zip(9000);

        using var response = await _gateway.Client.PostAsync("/v1/llm/models?name=my-lm", content);

        await AssertRejectedAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
    }

    [Theory]
    [InlineData("application/zip")]
    [InlineData("application/x-zip-compressed")]
    [InlineData("application/octet-stream")]
    public async Task LlmUpload_WithinCap_IsStreamedToTheReplica(string mediaType)
    {
        using var content = Zip(8000, mediaType);

        using var response = await _gateway.Client.PostAsync("/v1/llm/models?name=my-lm", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await EchoAsync(response);
        Assert.Equal("/v1/llm/models?name=my-lm", echo.Path);
        Assert.Equal(1, _inference.Requests);
    }

    [Fact]
    public async Task LlmStats_IsForwardedToTheReplica()
    {
        using var response = await _gateway.Client.GetAsync("/v1/llm/stats");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1/llm/stats", (await EchoAsync(response)).Path);
        Assert.Equal(0, _sandbox.Requests);
    }
}
