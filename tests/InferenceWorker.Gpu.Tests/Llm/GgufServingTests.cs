using System.ClientModel;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Llm.Gguf;
using BenchPlatform.InferenceWorker.Llm.Proof;
using OpenAI;
using OpenAI.Chat;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>
/// GGUF models through llama.cpp behind the OpenAI API, side by side with the same model's ONNX export: the official
/// OpenAI client gets identical greedy answers from both; streaming, n, stop, seed and usage work on the GGUF;
/// concurrent requests batch on one llama.cpp context; uploads and bad files answer as documented.
/// </summary>
public sealed class GgufServingTests(TinyLlamaHostFixture fixture) : IClassFixture<TinyLlamaHostFixture>
{
    private static readonly string[] Prompts = ["Once upon a time", "The cat sat on the mat and", "hello world"];

    private LlmHost Host => fixture.Host;

    [Fact]
    public async Task OpenAiClient_GgufAndOnnxExport_AnswerIdenticallyGreedy()
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 20, Temperature = 0 };
        ChatMessage[] conversation = [new SystemChatMessage("You are terse."), new UserChatMessage("Say hello to the cat.")];
        ChatCompletion fromGguf = await Chat("tl-gguf").CompleteChatAsync(conversation, options);
        ChatCompletion fromOnnx = await Chat("tl-onnx").CompleteChatAsync(conversation, options);
        Assert.False(string.IsNullOrEmpty(fromGguf.Content[0].Text));
        Assert.Equal(fromOnnx.Content[0].Text, fromGguf.Content[0].Text);
        Assert.Equal(fromOnnx.Usage.InputTokenCount, fromGguf.Usage.InputTokenCount);
        Assert.Equal(fromOnnx.Usage.OutputTokenCount, fromGguf.Usage.OutputTokenCount);
        Assert.Equal(fromOnnx.FinishReason, fromGguf.FinishReason);

        // The prompt is the chat template's rendering: BOS + ChatML, one token each for the markers.
        var bos = 1;
        var expectedPrompt = "<|begin_of_text|><|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nSay hello to the cat.<|im_end|>\n<|im_start|>assistant\n";
        var hf = BenchPlatform.InferenceWorker.Llm.LlmTokenizer.Load(fixture.Files.Onnx);
        Assert.Equal(hf.Encode(expectedPrompt).Length, fromGguf.Usage.InputTokenCount);
        Assert.Equal(bos, hf.Encode(expectedPrompt).Count(t => t == TinyLlamaBuilder.Vocabulary()[TinyLlamaBuilder.Bos]));

        foreach (var prompt in Prompts)
        {
            var gguf = await CompletionAsync("tl-gguf", prompt, 16);
            var onnx = await CompletionAsync("tl-onnx", prompt, 16);
            Assert.Equal(onnx.Text, gguf.Text);
            Assert.Equal(onnx.PromptTokens, gguf.PromptTokens);
            Assert.Equal(16, gguf.CompletionTokens);
        }
    }

    [Fact]
    public async Task Gguf_StreamedChat_EqualsTheWholeAnswer()
    {
        var client = Chat("tl-gguf");
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 16, Temperature = 0 };
        ChatCompletion whole = await client.CompleteChatAsync([new UserChatMessage("hello world")], options);
        var streamed = new StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hello world")], options))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(whole.Content[0].Text, streamed.ToString());
        Assert.Equal(ChatFinishReason.Length, finish);
    }

    [Fact]
    public async Task Gguf_NSeedAndStop_BehaveAsOnOnnx()
    {
        // n = 3 sampled with a seed: the same three texts again with the same seed, and the same as the ONNX export's.
        async Task<string[]> SampleAsync(string model)
        {
            using var response = await Host.Client.PostAsJsonAsync("v1/completions", new { model, prompt = "Once upon a time", max_tokens = 12, temperature = 0.9, n = 3, seed = 5 });
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(response.IsSuccessStatusCode, json.RootElement.ToString());
            Assert.Equal(3 * 12, json.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
            return [.. json.RootElement.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("text").GetString()!)];
        }

        var first = await SampleAsync("tl-gguf");
        Assert.Equal(first, await SampleAsync("tl-gguf"));
        Assert.Equal(await SampleAsync("tl-onnx"), first);

        // A stop string cut from the greedy text: the answer ends before it, finish_reason stop.
        var greedy = (await CompletionAsync("tl-gguf", "hello world", 16)).Text;
        var stop = greedy.Substring(greedy.Length / 2, 2);
        using var stopped = await Host.Client.PostAsJsonAsync("v1/completions", new { model = "tl-gguf", prompt = "hello world", max_tokens = 16, temperature = 0, stop = new[] { stop } });
        using var stoppedJson = JsonDocument.Parse(await stopped.Content.ReadAsStringAsync());
        var choice = stoppedJson.RootElement.GetProperty("choices")[0];
        Assert.Equal(greedy[..greedy.IndexOf(stop, StringComparison.Ordinal)], choice.GetProperty("text").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Gguf_ConcurrentRequests_ShareDecodeStepsAndEachGetsItsAloneAnswer()
    {
        var alone = new Dictionary<string, string>();
        foreach (var prompt in Prompts)
        {
            alone[prompt] = (await CompletionAsync("tl-gguf", prompt, 24)).Text;
        }

        var engine = Host.Engine("tl-gguf");
        var stepsBefore = engine.Steps;
        var requests = Enumerable.Range(0, 12).Select(i => Prompts[i % Prompts.Length]).ToArray();
        var answers = await Task.WhenAll(requests.Select(p => CompletionAsync("tl-gguf", p, 24)));
        for (var i = 0; i < requests.Length; i++)
        {
            Assert.Equal(alone[requests[i]], answers[i].Text);
        }

        // Sequentially 12 × (1 prefill + 23 decode steps) = 288 steps; batched, the sequences share steps.
        var steps = engine.Steps - stepsBefore;
        Assert.True(steps < 12 * 24, $"{steps} steps for 12 concurrent sequences of 24 tokens: nothing was batched");
        Assert.Equal(0, engine.KvTokensReserved);
    }

    [Fact]
    public async Task Gguf_PromptLongerThanTheContext_Returns400NamingTheContext()
    {
        var prompt = string.Concat(Enumerable.Repeat("once upon a time ", 200));
        using var response = await Host.Client.PostAsJsonAsync("v1/completions", new { model = "tl-gguf", prompt, max_tokens = 4 });
        await OpenAiApiTests.AssertProblemAsync(response, 400, $"context of {new TinyLlamaShape().Context} tokens (the GGUF's context_length)");
        Assert.Equal(16, (await CompletionAsync("tl-gguf", "hello", 16)).CompletionTokens);
    }

    [Fact]
    public async Task Upload_Gguf_ServesItUnderTheNewName()
    {
        using var body = new ByteArrayContent(await File.ReadAllBytesAsync(fixture.Files.Gguf));
        body.Headers.ContentType = new("application/octet-stream");
        using var response = await Host.Client.PostAsync("v1/llm/models?name=uploaded-gguf", body);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, json.RootElement.ToString());
        Assert.Equal("llama.cpp", json.RootElement.GetProperty("engine").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("layers").GetInt32());
        Assert.Equal((await CompletionAsync("tl-gguf", "hello world", 12)).Text, (await CompletionAsync("uploaded-gguf", "hello world", 12)).Text);
    }

    [Theory]
    [InlineData("truncated", "truncated")]
    [InlineData("garbage", "neither")]
    [InlineData("bad-header", "corrupt")]
    [InlineData("unknown-architecture", "architecture 'nonesuch'")]
    public async Task Upload_BadGguf_Returns400NamingTheFixWithoutServerPaths(string kind, string expected)
    {
        var bytes = await File.ReadAllBytesAsync(fixture.Files.Gguf);
        bytes = kind switch
        {
            "truncated" => bytes[..(bytes.Length * 2 / 3)],
            "garbage" => Encoding.UTF8.GetBytes("this is not a model at all"),
            "bad-header" => [.. bytes[..8], .. Enumerable.Repeat((byte)0xFF, 64)],
            _ => UnknownArchitecture(),
        };
        var name = "bad-" + kind;
        using var body = new ByteArrayContent(bytes);
        using var response = await Host.Client.PostAsync($"v1/llm/models?name={name}", body);
        var text = await response.Content.ReadAsStringAsync();
        await OpenAiApiTests.AssertProblemAsync(response, 400, expected);
        Assert.DoesNotContain(Host.State, text, StringComparison.Ordinal);
        Assert.DoesNotContain("/tmp", text, StringComparison.Ordinal);

        // Nothing half-registered: not listed, no folder left, and the worker keeps serving.
        Assert.False(Host.Catalog.Contains(name));
        Assert.False(Directory.Exists(Path.Combine(Host.State, "llm", name)));
        Assert.Empty(Directory.GetDirectories(Path.Combine(Host.State, "llm"), ".upload-*"));
        Assert.Equal(8, (await CompletionAsync("tl-gguf", "hello", 8)).CompletionTokens);
    }

    private static byte[] UnknownArchitecture()
    {
        using var stream = new MemoryStream();
        new GgufWriter()
            .Add("general.architecture", "nonesuch")
            .Add("nonesuch.block_count", 1u)
            .Tensor("token_embd.weight", [4, 8], new float[32])
            .Write(stream);
        return stream.ToArray();
    }

    private ChatClient Chat(string model) =>
        new(model, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(Host.Address, "v1") });

    private async Task<(string Text, int PromptTokens, int CompletionTokens)> CompletionAsync(string model, string prompt, int maxTokens)
    {
        using var response = await Host.Client.PostAsJsonAsync("v1/completions", new { model, prompt, max_tokens = maxTokens, temperature = 0 });
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(response.IsSuccessStatusCode, json.RootElement.ToString());
        var usage = json.RootElement.GetProperty("usage");
        return (json.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!, usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32());
    }
}
