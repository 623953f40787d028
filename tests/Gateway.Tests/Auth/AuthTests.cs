using System.Net;
using BenchPlatform.Gateway.Tests.Infrastructure;
using static BenchPlatform.Gateway.Tests.Infrastructure.Requests;

namespace BenchPlatform.Gateway.Tests.Auth;

public sealed class AuthTests : IAsyncLifetime
{
    private const string AdminKey = "admin-key-0123456789abcdef";
    private const string UserKey = "user-key-0123456789abcdef";
    private const string LimitedKey = "limited-key-0123456789abcdef";

    private TestReplica _inference = null!;
    private TestReplica _appHost = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _inference = await TestReplica.StartAsync("inference-0");
        _appHost = await TestReplica.StartAsync("apphost");
        _gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["services:inference:http:0"] = _inference.Address.ToString(),
            ["services:apphost:http:0"] = _appHost.Address.ToString(),
            ["Gateway:ApiKeys:0:Key"] = AdminKey,
            ["Gateway:ApiKeys:0:Name"] = "ops",
            ["Gateway:ApiKeys:0:Role"] = "admin",
            ["Gateway:ApiKeys:1:Key"] = UserKey,
            ["Gateway:ApiKeys:1:Name"] = "app",
            ["Gateway:ApiKeys:2:Key"] = LimitedKey,
            ["Gateway:ApiKeys:2:Name"] = "limited",
            ["Gateway:ApiKeys:2:RateLimitPerSecond"] = "2",
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _inference.DisposeAsync();
        await _appHost.DisposeAsync();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = Json(json);
        }

        if (key is not null)
        {
            Bearer(request, key);
        }

        return await _gateway.Client.SendAsync(request);
    }

    [Fact]
    public async Task Infer_WithoutKey_Returns401WithBearerChallenge()
    {
        using var response = await SendAsync(HttpMethod.Post, "/v2/models/mlp/infer", null, ValidInfer);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        await ProblemAsync(response);
        Assert.Equal(0, _inference.Requests);
    }

    [Fact]
    public async Task Infer_WithUnknownKey_Returns401()
    {
        using var response = await SendAsync(HttpMethod.Get, "/v1/models", "not-a-configured-key-at-all");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, _inference.Requests);
    }

    [Fact]
    public async Task Infer_WithUserKey_IsForwarded()
    {
        using var response = await SendAsync(HttpMethod.Post, "/v2/models/mlp/infer", UserKey, ValidInfer);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("PUT", "/v1/scale/inference", "{\"min\":0,\"max\":4}")]
    [InlineData("POST", "/v1/warmup", "{\"models\":[\"mlp\"]}")]
    [InlineData("DELETE", "/v1/models/mlp", null)]
    [InlineData("POST", "/v1/blocks", "{\"name\":\"sum\",\"language\":\"python\",\"code\":\"x\"}")]
    [InlineData("POST", "/v1/llm/models?name=my-lm", null)]
    public async Task AdminCall_WithUserKey_Returns403(string method, string path, string? json)
    {
        using var response = await SendAsync(new HttpMethod(method), path, UserKey, json);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await ProblemAsync(response);
        Assert.Equal(0, _inference.Requests + _appHost.Requests);
    }

    [Fact]
    public async Task Scale_WithAdminKey_IsForwardedToTheAppHost()
    {
        using var response = await SendAsync(HttpMethod.Put, "/v1/scale/inference", AdminKey, "{\"min\":0,\"max\":4}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/_internal/scale/inference", (await EchoAsync(response)).Path);
        var forwarded = _appHost.ReceivedHeaders.Single();
        Assert.Equal(GatewayHost.InternalToken, forwarded["X-Internal-Token"].ToString());
    }

    [Fact]
    public async Task LlmUpload_WithAdminKey_IsForwardedToInference()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/llm/models?name=my-lm") { Content = new ByteArrayContent([0x50, 0x4b, 3, 4]) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/zip");
        Bearer(request, AdminKey);

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await EchoAsync(response);
        Assert.Equal("/v1/llm/models?name=my-lm", echo.Path);
        Assert.Equal(1, _inference.Requests);
    }

    [Fact]
    public async Task LlmStats_WithUserKey_IsForwardedToInference()
    {
        using var response = await SendAsync(HttpMethod.Get, "/v1/llm/stats", UserKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1/llm/stats", (await EchoAsync(response)).Path);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task HealthEndpoints_WithoutKey_StayOpen(string path)
    {
        using var response = await _gateway.Client.GetAsync(path);

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task LimitedKey_OverItsRate_Returns429WithRetryAfter()
    {
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? rejected = null;
        for (var i = 0; i < 5 && rejected is null; i++)
        {
            var response = await SendAsync(HttpMethod.Get, "/v1/models", LimitedKey);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                rejected = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(rejected);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.NotNull(rejected.Headers.RetryAfter);
        await ProblemAsync(rejected);
        rejected.Dispose();
    }

    [Fact]
    public async Task UnlimitedKey_ManyRequests_NeverLimited()
    {
        for (var i = 0; i < 10; i++)
        {
            using var response = await SendAsync(HttpMethod.Get, "/v1/models", UserKey);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
