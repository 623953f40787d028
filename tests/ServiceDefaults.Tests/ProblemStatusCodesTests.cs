using System.Net;
using System.Text.Json;
using BenchPlatform.TestCommon;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace BenchPlatform.ServiceDefaults.Tests;

/// <summary>Every 4xx a service leaves bodiless gets a problem+json body; answers with a body are untouched.</summary>
public sealed class ProblemStatusCodesTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.AddServiceDefaults();
        _app = builder.Build();
        _app.MapDefaultEndpoints();
        _app.MapGet("/work", () => "done");
        _app.MapGet("/bare-conflict", () => Results.StatusCode(StatusCodes.Status409Conflict));
        _app.MapGet("/own-body", () => Results.Text("mine", "text/plain", statusCode: StatusCodes.Status400BadRequest));
        _app.MapGet("/server-error", () => Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("GET", "/nowhere", HttpStatusCode.NotFound, "There is no GET /nowhere")]
    [InlineData("GET", "/work//x", HttpStatusCode.NotFound, "/work//x")]
    [InlineData("DELETE", "/work", HttpStatusCode.MethodNotAllowed, "use GET")]
    [InlineData("GET", "/bare-conflict", HttpStatusCode.Conflict, "GET /bare-conflict was refused (409 Conflict)")]
    public async Task BodilessRefusal_GetsProblemJsonWithDetail(string method, string path, HttpStatusCode status, string detail)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(ProblemStatusCodes.ContentType, response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/nowhere")]
    [InlineData("GET", "/bare-conflict")]
    public async Task BodilessRefusal_DetailPointsAtTheApiReferenceInTheRepository(string method, string path)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("the API reference (docs/api.md in the repository)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusalWithItsOwnBody_IsLeftAlone()
    {
        using var response = await _client.GetAsync("/own-body");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("mine", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ServerError_IsNotRewritten()
    {
        using var response = await _client.GetAsync("/server-error");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }
}
