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

    private async Task UploadAsync(string name, byte[] body, string contentType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new(contentType);
        using var response = await _stack.Gateway.PostAsync($"v1/llm/models?name={name}", content);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"upload of {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static byte[] Zip(string folder)
    {
        using var buffer = new MemoryStream();
        ZipFile.CreateFromDirectory(folder, buffer);
        return buffer.ToArray();
    }
}
