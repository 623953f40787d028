using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchPlatform.TestCommon;

namespace BenchPlatform.AppHost.Tests.EndToEnd;

[Collection(StackCollection.Name)]
public sealed class ControlApiTests(ControlApiTests.Stack stack) : IClassFixture<ControlApiTests.Stack>
{
    /// <summary>One stack for the control API tests.</summary>
    public sealed class Stack : IAsyncLifetime
    {
        private readonly StackFixture _fixture = new();

        public AppHostProcess AppHost => _fixture.AppHost;

        public Task InitializeAsync() => _fixture.InitializeAsync();

        public Task DisposeAsync() => _fixture.DisposeAsync();
    }

    [Fact]
    public async Task GetScale_WithoutToken_Returns401Problem()
    {
        using var response = await stack.AppHost.Http.GetAsync(new Uri(stack.AppHost.ControlUrl, "_internal/scale"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task GetScale_WithToken_ReportsInferenceReplicas()
    {
        using var request = stack.AppHost.ControlRequest(HttpMethod.Get, "_internal/scale");
        using var response = await stack.AppHost.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var inference = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("inference");
        Assert.Equal(1, inference.GetProperty("ready").GetInt32());
        Assert.Equal(1, inference.GetProperty("desired").GetInt32());
        Assert.True(inference.TryGetProperty("min", out _) && inference.TryGetProperty("max", out _) && inference.TryGetProperty("inflight", out _));
    }

    [Theory]
    [InlineData("{\"min\":3,\"max\":2}", "min")]
    [InlineData("{\"min\":-1,\"max\":2}", "min")]
    [InlineData("{\"min\":0,\"max\":-1}", "max")]
    [InlineData("{\"min\":0,\"max\":100000}", "max")]
    [InlineData("{\"max\":0}", "min")]
    [InlineData("{}", "min")]
    public async Task PutScale_OutOfRange_Returns400NamingTheField(string body, string field)
    {
        using var request = stack.AppHost.ControlRequest(HttpMethod.Put, "_internal/scale/inference");
        request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await stack.AppHost.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Contains($"'{field}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutScale_MalformedJson_Returns400Problem()
    {
        using var request = stack.AppHost.ControlRequest(HttpMethod.Put, "_internal/scale/inference");
        request.Content = new StringContent("{\"min\":", System.Text.Encoding.UTF8, "application/json");
        using var response = await stack.AppHost.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("{\"models\":[],\"min_replicas\":1}", "models")]
    [InlineData("{\"models\":[\"mlp\"],\"min_replicas\":0}", "min_replicas")]
    [InlineData("{\"models\":[\"mlp\"],\"min_replicas\":99}", "min_replicas")]
    public async Task PostWarmup_BadRequest_Returns400NamingTheField(string body, string field)
    {
        using var request = stack.AppHost.ControlRequest(HttpMethod.Post, "_internal/warmup");
        request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await stack.AppHost.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task PutScale_UnknownResource_Returns404NamingTheChoices()
    {
        using var request = stack.AppHost.ControlRequest(HttpMethod.Put, "_internal/scale/nope");
        request.Content = JsonContent.Create(new { min = 0, max = 1 });
        using var response = await stack.AppHost.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("inference", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "_internal/nope", HttpStatusCode.NotFound)]
    [InlineData("PUT", "_internal/scale/inference/extra", HttpStatusCode.NotFound)]
    [InlineData("DELETE", "_internal/scale", HttpStatusCode.MethodNotAllowed)]
    public async Task UnroutableRequest_ReturnsProblemWithDetail(string method, string path, HttpStatusCode status)
    {
        using var request = stack.AppHost.ControlRequest(new HttpMethod(method), path);
        using var response = await stack.AppHost.Http.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(method, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Services_RunWithAspireEnvironment()
    {
        var inference = stack.AppHost.Descendants().Single(c => c.CommandLine.Contains("InferenceWorker.Gpu.dll", StringComparison.Ordinal));
        var environment = (await File.ReadAllTextAsync($"/proc/{inference.Pid}/environ")).Split('\0')
            .Where(e => e.Contains('=', StringComparison.Ordinal))
            .Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => e[1]);

        Assert.StartsWith("http://127.0.0.1:", environment["ASPNETCORE_URLS"], StringComparison.Ordinal);
        Assert.Equal("inference", environment["OTEL_SERVICE_NAME"]);
        Assert.Equal("service.instance.id=0", environment["OTEL_RESOURCE_ATTRIBUTES"]);
        Assert.Equal(stack.AppHost.InternalToken(), environment["Internal__Token"]);
        Assert.Contains("password=", environment["ConnectionStrings__cache"], StringComparison.Ordinal);
        Assert.Contains("Database=registry", environment["ConnectionStrings__registry"], StringComparison.Ordinal);
        Assert.Equal(stack.AppHost.StateFolder, environment["Storage__Root"]);
        Assert.DoesNotContain(environment["Internal__Token"], stack.AppHost.Output, StringComparison.Ordinal);
    }
}
