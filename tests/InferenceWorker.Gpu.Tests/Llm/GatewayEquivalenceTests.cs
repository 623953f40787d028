using System.ClientModel;
using System.IO.Compression;
using System.Net;
using System.Text;
using BenchPlatform.TestCommon;
using OpenAI;
using OpenAI.Chat;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>
/// Issue 17's "done when", through the real stack (AppHost, PostgreSQL, Redis, gateway, worker): the proof Llama uploaded
/// through the gateway once as a GGUF file and once as an ONNX export answers the official OpenAI client identically
/// (greedy), whole and streamed.
/// </summary>
public sealed class GatewayEquivalenceTests : IAsyncLifetime
{
    private readonly StackFixture _stack = new();
    private readonly TinyLlamaFiles _files = new();

    public async Task InitializeAsync()
    {
        await _stack.InitializeAsync();
        await Wait.UntilAsync(async () =>
        {
            using var response = await _stack.Gateway.GetAsync("v1/models");
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(60), "GET /v1/models never succeeded through the gateway");
        await UploadAsync("proof-gguf", await File.ReadAllBytesAsync(_files.Gguf), "application/octet-stream");
        await UploadAsync("proof-onnx", Zip(_files.Onnx), "application/zip");
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        _files.Dispose();
    }

    [Fact]
    public async Task OpenAiClient_ThroughGateway_GgufAndOnnxExportAnswerIdentically()
    {
        OpenAI.Chat.ChatMessage[] conversation = [new SystemChatMessage("You are terse."), new UserChatMessage("Tell me about the cat and the dog.")];
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 24, Temperature = 0 };
        ChatCompletion fromGguf = await Chat("proof-gguf").CompleteChatAsync(conversation, options);
        ChatCompletion fromOnnx = await Chat("proof-onnx").CompleteChatAsync(conversation, options);

        Assert.False(string.IsNullOrEmpty(fromGguf.Content[0].Text));
        Assert.Equal(fromOnnx.Content[0].Text, fromGguf.Content[0].Text);
        Assert.Equal(fromOnnx.Usage.InputTokenCount, fromGguf.Usage.InputTokenCount);
        Assert.Equal(24, fromGguf.Usage.OutputTokenCount);
        Assert.Equal(24, fromOnnx.Usage.OutputTokenCount);

        foreach (var model in (string[])["proof-gguf", "proof-onnx"])
        {
            var streamed = new StringBuilder();
            await foreach (var update in Chat(model).CompleteChatStreamingAsync(conversation, options))
            {
                foreach (var part in update.ContentUpdate)
                {
                    streamed.Append(part.Text);
                }
            }

            Assert.Equal(fromGguf.Content[0].Text, streamed.ToString());
        }
    }

    private ChatClient Chat(string model) =>
        new(model, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(_stack.GatewayUrl, "v1") });

    // Retried while the gateway answers 503 (a replica not in rotation yet: it says "retry after 1 s").
    private async Task UploadAsync(string name, byte[] body, string contentType)
    {
        var last = "";
        await Wait.UntilAsync(async () =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new(contentType);
            using var response = await _stack.Gateway.PostAsync($"v1/llm/models?name={name}", content);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable, $"upload of {name}: {last}");
            return response.StatusCode == HttpStatusCode.Created;
        }, TimeSpan.FromSeconds(60), $"upload of {name} was answered 503 for 60 s");
    }

    private static byte[] Zip(string folder)
    {
        using var buffer = new MemoryStream();
        ZipFile.CreateFromDirectory(folder, buffer);
        return buffer.ToArray();
    }
}
