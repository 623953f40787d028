using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchPlatform.TestCommon;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

public sealed class UpstreamTests
{
    [Fact]
    public async Task Upstream_FakeEngineOnASocket_ProxiedWithTheUpstreamModelNameAndStreamed()
    {
        var seenModels = new List<string>();
        await using var fake = await StartFakeUpstreamAsync(seenModels);
        await using var host = await LlmHost.StartAsync(new Dictionary<string, string?>
        {
            ["Llm:Models:ollama-llama:Upstream"] = $"{fake.Urls.First()}/v1",
            ["Llm:Models:ollama-llama:UpstreamModel"] = "llama3.2:1b",
        });

        using var response = await host.Client.PostAsJsonAsync("v1/chat/completions", new { model = "ollama-llama", messages = new[] { new { role = "user", content = "hi" } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("from upstream", json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Contains("upstream;dur=", string.Join(",", response.Headers.GetValues("Server-Timing")));

        using var streamed = await host.Client.PostAsJsonAsync("v1/completions", new { model = "ollama-llama", prompt = "hi", stream = true });
        var events = Sse.Events(await streamed.Content.ReadAsStringAsync());
        Assert.Equal("ab", Sse.Text(events, chat: false));
        Assert.Equal("[DONE]", events[^1]);
        Assert.Equal(["llama3.2:1b", "llama3.2:1b"], seenModels);
    }

    [Fact]
    public async Task Upstream_OurOwnWorker_StreamsItsTinyLmThroughTheProxy()
    {
        await using var upstream = await LlmHost.StartAsync();
        await using var host = await LlmHost.StartAsync(new Dictionary<string, string?>
        {
            ["Llm:TinyLm"] = "",
            ["Llm:Models:remote-tiny:Upstream"] = $"{upstream.Address}v1",
            ["Llm:Models:remote-tiny:UpstreamModel"] = "tiny-lm",
        });
        using var direct = await upstream.Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "Hello", max_tokens = 10, temperature = 0 });
        using var directJson = JsonDocument.Parse(await direct.Content.ReadAsStringAsync());

        using var proxied = await host.Client.PostAsJsonAsync("v1/completions", new { model = "remote-tiny", prompt = "Hello", max_tokens = 10, temperature = 0, stream = true });
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        var timing = string.Join(",", proxied.Headers.GetValues("Server-Timing"));
        Assert.Contains("upstream;dur=", timing);
        Assert.Contains("ttft;dur=", timing);
        var events = Sse.Events(await proxied.Content.ReadAsStringAsync());
        Assert.Equal(directJson.RootElement.GetProperty("choices")[0].GetProperty("text").GetString(), Sse.Text(events, chat: false));

        // The upstream's own validation comes back as it is.
        using var bad = await host.Client.PostAsJsonAsync("v1/completions", new { model = "remote-tiny", prompt = "x", temperature = -1 });
        await OpenAiApiTests.AssertProblemAsync(bad, 400, "temperature");
    }

    [Fact]
    public async Task Upstream_Unreachable_Returns503WithRetryAfter()
    {
        await using var host = await LlmHost.StartAsync(new Dictionary<string, string?>
        {
            ["Llm:TinyLm"] = "",
            ["Llm:Models:gone:Upstream"] = $"http://127.0.0.1:{FreePort.Next()}/v1",
        });
        using var response = await host.Client.PostAsJsonAsync("v1/completions", new { model = "gone", prompt = "x" });
        await OpenAiApiTests.AssertProblemAsync(response, 503, "did not answer");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    private static async Task<WebApplication> StartFakeUpstreamAsync(List<string> seenModels)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{FreePort.Next()}");
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            lock (seenModels)
            {
                seenModels.Add(body.RootElement.GetProperty("model").GetString()!);
            }

            return Results.Json(new
            {
                id = "x",
                @object = "chat.completion",
                created = 1,
                model = "llama3.2:1b",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = "from upstream" }, finish_reason = "stop" } },
            });
        });
        app.MapPost("/v1/completions", async (HttpContext context) =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            lock (seenModels)
            {
                seenModels.Add(body.RootElement.GetProperty("model").GetString()!);
            }

            context.Response.ContentType = "text/event-stream";
            foreach (var piece in new[] { "a", "b" })
            {
                await context.Response.WriteAsync($"data: {{\"choices\":[{{\"index\":0,\"text\":\"{piece}\"}}]}}\n\n");
                await context.Response.Body.FlushAsync();
            }

            await context.Response.WriteAsync("data: [DONE]\n\n");
        });
        await app.StartAsync();
        return app;
    }
}
