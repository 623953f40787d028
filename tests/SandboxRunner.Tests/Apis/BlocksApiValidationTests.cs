using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace BenchPlatform.SandboxRunner.Tests.Apis;

/// <summary>Every bad run request is a 400 problem whose detail says what to change; the block's own failures are 200s.</summary>
[Collection(JailCollection.Name)]
public sealed class BlocksApiValidationTests(SandboxFactory factory)
{
    private readonly HttpClient _client = factory.CreateRunnerClient();

    [Theory]
    [InlineData("""{"language":"python","inputs":{}}""", "'code' is required")]
    [InlineData("""{"language":"python","code":""}""", "'code' is required")]
    [InlineData("""{"language":"python","code":42}""", "'code' is required")]
    [InlineData("""{"language":"ruby","code":"def run(i): return i"}""", "use \"python\"")]
    [InlineData("""{"language":7,"code":"def run(i): return i"}""", "'language' must be a string")]
    [InlineData("""{"code":"def run(i): return i","entrypoint":"no spaces"}""", "'entrypoint' must be")]
    [InlineData("""{"code":"def run(i): return i","inputs":[1,2]}""", "'inputs' must be a JSON object")]
    [InlineData("""{"code":"def run(i): return i","limits":5}""", "'limits' must be an object")]
    [InlineData("""{"code":"def run(i): return i","limits":{"timeout_ms":0}}""", "'limits.timeout_ms' must be an integer from 1 to 30000")]
    [InlineData("""{"code":"def run(i): return i","limits":{"timeout_ms":30001}}""", "'limits.timeout_ms'")]
    [InlineData("""{"code":"def run(i): return i","limits":{"timeout_ms":"fast"}}""", "'limits.timeout_ms'")]
    [InlineData("""{"code":"def run(i): return i","limits":{"memory_mb":8}}""", "'limits.memory_mb' must be an integer from 16 to 2048")]
    [InlineData("""{"code":"def run(i): return i","limits":{"memory_mb":1000000}}""", "'limits.memory_mb'")]
    [InlineData("""{"code":"def run(i): return i","limits":{"cpu":1}}""", "'limits.cpu' is not a known limit")]
    [InlineData("""[1,2,3]""", "must be a JSON object")]
    [InlineData("""{"code": "unterminated""", "not valid JSON")]
    [InlineData("", "The body is empty")]
    public async Task Run_InvalidRequest_Returns400ThatSaysWhatToChange(string body, string detail)
    {
        using var response = await _client.PostAsync("/v1/blocks/run", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CodeOverTheCap_Returns400()
    {
        using var response = await _client.PostAsJsonAsync("/v1/blocks/run", new { code = "#" + new string('x', 300 << 10) + "\ndef run(i): return i" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("the limit is 262144", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v1/blocks/a/b/c")]
    [InlineData("GET", "/v2/nothing")]
    [InlineData("PATCH", "/v1/blocks/run")]
    public async Task UnroutableRequest_Returns4xxProblemNamingTheRequest(string method, string path)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, response.StatusCode.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(method, detail, StringComparison.Ordinal);
        Assert.Contains(path, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithoutTheInternalToken_Returns401()
    {
        using var client = factory.CreateClient();

        using var response = await client.PostAsJsonAsync("/v1/blocks/run", new { code = "def run(i): return i" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Run_ValidBlock_ReturnsOutputsStdoutAndTiming()
    {
        using var response = await _client.PostAsJsonAsync("/v1/blocks/run", new
        {
            language = "python",
            code = "import math\ndef run(inputs):\n    print('hello', inputs['name'])\n    return {'root': math.sqrt(inputs['x']), 'name': inputs['name']}",
            entrypoint = "run",
            inputs = new { x = 16, name = "Zoë \"quoted\"" },
            limits = new { timeout_ms = 2000, memory_mb = 256 },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("run;dur=", string.Join(",", response.Headers.GetValues("Server-Timing")), StringComparison.Ordinal);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ok", result.Status());
        Assert.Equal(4.0, result.GetProperty("outputs").GetProperty("root").GetDouble());
        Assert.Equal("Zoë \"quoted\"", result.GetProperty("outputs").GetProperty("name").GetString());
        Assert.Equal("hello Zoë \"quoted\"\n", result.GetProperty("stdout").GetString());
        Assert.Equal("", result.GetProperty("stderr").GetString());
        Assert.True(result.GetProperty("duration_ms").GetDouble() > 0);
        Assert.Contains(result.GetProperty("start").GetString(), new[] { "warm", "cold" });
        Assert.Equal(JsonValueKind.Null, result.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Run_CustomEntrypoint_IsCalled()
    {
        using var response = await _client.PostAsJsonAsync("/v1/blocks/run", new { code = "def main(inputs):\n    return {'via': 'main'}", entrypoint = "main" });

        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("main", result.GetProperty("outputs").GetProperty("via").GetString());
    }

    [Fact]
    public async Task Run_MissingEntrypoint_IsAnErrorResultNamingIt()
    {
        var result = await _client.RunAsync("def other(inputs):\n    return {}");

        Assert.Equal("error", result.Status());
        Assert.Equal("EntrypointNotFound", result.ErrorType());
        Assert.Contains("'run'", result.ErrorMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SyntaxError_IsAnErrorResult()
    {
        var result = await _client.RunAsync("def run(inputs) return 1");

        Assert.Equal("error", result.Status());
        Assert.Equal("SyntaxError", result.ErrorType());
    }

    [Fact]
    public async Task Run_RaisedException_IsAnErrorResultWithTheTracebackOnStderr()
    {
        var result = await _client.RunAsync("def run(inputs):\n    raise ValueError('bad input: ' + inputs['v'])", new { v = "x" });

        Assert.Equal("error", result.Status());
        Assert.Equal("ValueError", result.ErrorType());
        Assert.Equal("bad input: x", result.ErrorMessage());
        Assert.Contains("Traceback", result.GetProperty("stderr").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SysExit_IsAnErrorResult()
    {
        var result = await _client.RunAsync("import sys\ndef run(inputs):\n    sys.exit(3)");

        Assert.Equal("error", result.Status());
        Assert.Equal("SystemExit", result.ErrorType());
    }

    [Fact]
    public async Task Run_OsExit_IsAnErrorResultWithTheExitCode()
    {
        var result = await _client.RunAsync("import os\ndef run(inputs):\n    os._exit(7)");

        Assert.Equal("error", result.Status());
        Assert.Equal("Exited", result.ErrorType());
        Assert.Contains("code 7", result.ErrorMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NumpyWhereInstalled_IsPreloadedAndWorks()
    {
        if (!Directory.Exists("/usr/lib/python3/dist-packages/numpy"))
        {
            return; // numpy is optional: the apt package python3-numpy provides it
        }

        var result = await _client.RunAsync("import numpy as np\ndef run(inputs):\n    a = np.arange(12).reshape(3, 4)\n    return {'sum': int(a.sum()), 'shape': list(a.T.shape)}");

        Assert.Equal("ok", result.Status());
        Assert.Equal(66, result.GetProperty("outputs").GetProperty("sum").GetInt32());
    }
}
