using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using BenchPlatform.TestCommon;
using OpenAI;
using OpenAI.Chat;
using static BenchPlatform.Gateway.Tests.Infrastructure.Requests;

namespace BenchPlatform.Gateway.Tests.EndToEnd;

/// <summary>
/// The tiny LM the worker serves by default, reached through the real stack's gateway (AppHost, PostgreSQL,
/// Redis, worker): SSE streaming, the official OpenAI .NET client, and the LLM management routes.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class LlmThroughGatewayTests(LlmThroughGatewayTests.Stack stack) : IClassFixture<LlmThroughGatewayTests.Stack>
{
    /// <summary>One stack for these tests; ready once the tiny LM answers through the gateway.</summary>
    public sealed class Stack : IAsyncLifetime
    {
        private readonly StackFixture _fixture = new();

        public HttpClient Gateway => _fixture.Gateway;

        public Uri GatewayUrl => _fixture.GatewayUrl;

        public async Task InitializeAsync()
        {
            await _fixture.InitializeAsync();
            await Wait.UntilAsync(async () =>
            {
                using var response = await Gateway.GetAsync("v1/models");
                return response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Contains("\"tiny-lm\"", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(60), "tiny-lm was not listed by GET /v1/models through the gateway");
        }

        public Task DisposeAsync() => _fixture.DisposeAsync();
    }

    private const string ChatBody =
        "{\"model\":\"tiny-lm\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],\"max_tokens\":8,\"temperature\":0,\"stream\":true}";

    [Fact]
    public async Task ChatCompletions_StreamThroughGateway_SendsSseChunksThenDone()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = Json(ChatBody) };
        using var response = await stack.Gateway.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var timing = ServerTiming(response);
        Assert.Contains("gateway;dur=", timing, StringComparison.Ordinal);
        Assert.Contains("ttft;dur=", timing, StringComparison.Ordinal);

        var events = new List<string>();
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    events.Add(line["data: ".Length..]);
                }
            }
        }

        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement.Clone()).ToList();
        Assert.True(chunks.Count >= 2, $"expected several chunks, got {chunks.Count}");
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.All(chunks, c => Assert.Equal("tiny-lm", c.GetProperty("model").GetString()));
        var finish = chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray())
            .Select(c => c.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null)
            .Single(f => f is not null);
        Assert.Equal("length", finish);
        var usage = chunks.Last(c => c.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object).GetProperty("usage");
        Assert.Equal(8, usage.GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task OpenAiClient_ChatAgainstGateway_GetsAnswerAndSameTextStreamed()
    {
        var client = new ChatClient("tiny-lm", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(stack.GatewayUrl, "v1") });
        ChatMessage[] messages = [new SystemChatMessage("You are terse."), new UserChatMessage("Say hello.")];
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 10, Temperature = 0 };

        ChatCompletion completion = await client.CompleteChatAsync(messages, options);

        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.False(string.IsNullOrEmpty(completion.Content[0].Text));
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(10, completion.Usage.OutputTokenCount);
        Assert.True(completion.Usage.InputTokenCount > 0);

        var streamed = new StringBuilder();
        await foreach (var update in client.CompleteChatStreamingAsync(messages, options))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }
        }

        Assert.Equal(completion.Content[0].Text, streamed.ToString());
    }

    [Fact]
    public async Task LlmStats_ThroughGateway_ReportsTheTinyLm()
    {
        using var stats = JsonDocument.Parse(await stack.Gateway.GetStringAsync("v1/llm/stats"));

        Assert.True(stats.RootElement.GetProperty("models").GetProperty("tiny-lm").GetProperty("kv_budget_tokens").GetInt64() > 0);
    }

    [Fact]
    public async Task LlmUpload_NotAZip_ReachesWorkerAndReturns400()
    {
        using var content = new ByteArrayContent([1, 2, 3, 4]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/zip");

        using var response = await stack.Gateway.PostAsync("v1/llm/models?name=not-a-zip", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Contains("zip", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }
}
