using System.Net;
using BenchPlatform.TestCommon;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;

namespace BenchPlatform.ServiceDefaults.Tests;

public sealed class InternalTokenTests : IAsyncLifetime
{
    private const string Token = "per-run-secret";
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Configuration["Internal:Token"] = Token;
        builder.AddServiceDefaults();
        _app = builder.Build();
        _app.MapDefaultEndpoints();
        _app.MapGet("/work", () => "done");
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Request_WithoutToken_Returns401Problem()
    {
        using var response = await _client.GetAsync("/work");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Request_WithWrongToken_Returns401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/work");
        request.Headers.Add(InternalTokenOptions.HeaderName, "per-run-secreX");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Request_WithToken_IsServed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/work");
        request.Headers.Add(InternalTokenOptions.HeaderName, Token);

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task HealthEndpoints_WithoutToken_AnswerHealthyJson(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"status\":\"healthy\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
