using System.ClientModel;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.TestCommon;
using OpenAI;
using OpenAI.Chat;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>The LLM feature inside the whole worker (registry on a real PostgreSQL), on a real socket.</summary>
[Collection(InferenceCollection.Name)]
public sealed class WorkerLlmTests(PostgresFixture postgres)
{
    private static readonly Dictionary<string, string?> TinyLm = new() { ["Llm:TinyLm"] = "tiny-lm" };

    [Fact]
    public async Task OpenAiClient_ChatAgainstTheWorker_GetsTheTinyLmsAnswerAndStreams()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync("llm"), null, TinyLm);
        var client = new ChatClient("tiny-lm", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(host.Client.BaseAddress!, "v1") });

        ChatCompletion completion = await client.CompleteChatAsync(
            [new SystemChatMessage("You are terse."), new UserChatMessage("Say hello.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0 });
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.False(string.IsNullOrEmpty(completion.Content[0].Text));
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(12, completion.Usage.OutputTokenCount);
        Assert.True(completion.Usage.InputTokenCount > 0);

        var streamed = new StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync(
            [new SystemChatMessage("You are terse."), new UserChatMessage("Say hello.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0 }))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(completion.Content[0].Text, streamed.ToString());
        Assert.Equal(ChatFinishReason.Length, finish);
    }

    [Fact]
    public async Task Models_List_ShowsTheLlmWithKindLlmBesideOnnxModels()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync("llm"), null, TinyLm);
        await host.UploadOkAsync("mlp", SampleModels.Mlp());
        using var list = JsonDocument.Parse(await host.Client.GetStringAsync("v1/models"));
        var kinds = list.RootElement.GetProperty("data").EnumerateArray()
            .ToDictionary(m => m.GetProperty("id").GetString()!, m => m.GetProperty("kind").GetString());
        Assert.Equal("llm", kinds["tiny-lm"]);
        Assert.Equal("onnx", kinds["mlp"]);
    }

    [Fact]
    public async Task Completions_NonLlmModelName_Returns400PointingToInfer()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync("llm"), null, TinyLm);
        await host.UploadOkAsync("mlp", SampleModels.Mlp());
        using var response = await host.Client.PostAsJsonAsync("v1/chat/completions", new { model = "mlp", messages = new[] { new { role = "user", content = "hi" } } });
        await OpenAiApiTests.AssertProblemAsync(response, 400, "/v2/models/mlp/infer");
    }
}
