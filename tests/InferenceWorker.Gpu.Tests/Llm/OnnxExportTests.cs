using System.ClientModel;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchPlatform.InferenceWorker.Llm;
using BenchPlatform.InferenceWorker.Llm.Proof;
using OpenAI;
using OpenAI.Chat;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>
/// Hugging Face ONNX exports uploaded as zips: the SentencePiece-style and merged-decoder variants answer as their GGUF
/// twin does, BOS is added, and a zip without a tokenizer or with a chat template that cannot be parsed or rendered
/// is answered 400 naming the fix, with nothing registered.
/// </summary>
public sealed class OnnxExportTests(TinyLlamaHostFixture fixture) : IClassFixture<TinyLlamaHostFixture>
{
    private LlmHost Host => fixture.Host;

    [Fact]
    public async Task SentencePieceExportAndGguf_OpenAiClient_AnswerIdenticallyGreedy()
    {
        await UploadAsync("spm-onnx", Zip(fixture.Files.SpmOnnx));
        using (var gguf = new ByteArrayContent(await File.ReadAllBytesAsync(fixture.Files.SpmGguf)))
        {
            using var response = await Host.Client.PostAsync("v1/llm/models?name=spm-gguf", gguf);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var options = new ChatCompletionOptions { MaxOutputTokenCount = 24, Temperature = 0 };
        OpenAI.Chat.ChatMessage[] conversation = [new UserChatMessage("Grüße! Tell me about the cat and the dog.")];
        ChatCompletion fromOnnx = await Chat("spm-onnx").CompleteChatAsync(conversation, options);
        ChatCompletion fromGguf = await Chat("spm-gguf").CompleteChatAsync(conversation, options);
        Assert.False(string.IsNullOrEmpty(fromOnnx.Content[0].Text));
        Assert.Equal(fromGguf.Content[0].Text, fromOnnx.Content[0].Text);
        Assert.Equal(fromGguf.Usage.InputTokenCount, fromOnnx.Usage.InputTokenCount);
        Assert.Equal(fromGguf.Usage.OutputTokenCount, fromOnnx.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task MergedDecoderExport_Served_AnswersAsModelOnnx()
    {
        var folder = Path.Combine(fixture.Files.Root, "merged-upload");
        TinyLlamaBuilder.WriteOnnx(folder, merged: true);
        await UploadAsync("merged", Zip(folder));
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 16, Temperature = 0 };
        ChatCompletion merged = await Chat("merged").CompleteChatAsync([new UserChatMessage("hello world")], options);
        ChatCompletion plain = await Chat("tl-onnx").CompleteChatAsync([new UserChatMessage("hello world")], options);
        Assert.Equal(plain.Content[0].Text, merged.Content[0].Text);
    }

    [Fact]
    public async Task Completion_AddBosToken_PromptStartsWithBos()
    {
        var tokenizer = LlmTokenizer.Load(fixture.Files.Onnx);
        using var response = await Host.Client.PostAsJsonAsync("v1/completions", new { model = "tl-onnx", prompt = "the cat", max_tokens = 1, temperature = 0 });
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(tokenizer.Encode("the cat").Length + 1, json.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(TinyLlamaBuilder.Vocabulary()[TinyLlamaBuilder.Bos], tokenizer.EncodePrompt("the cat")[0]);
    }

    [Fact]
    public async Task Upload_ZipWithoutTokenizer_Returns400NamingTheFix()
    {
        var zip = Zip(fixture.Files.Onnx, skip: "tokenizer.json");
        await AssertRejectedAsync("no-tokenizer", zip, "has no tokenizer: add tokenizer.json");
    }

    [Fact]
    public async Task Upload_ChatTemplateThatCannotBeParsed_Returns400NamingIt()
    {
        var zip = Zip(fixture.Files.Onnx, template: "{% macro greet() %}hi{% endmacro %}{{ greet() }}");
        await AssertRejectedAsync("bad-template", zip, "chat template (tokenizer_config.json chat_template) cannot be parsed");
    }

    [Fact]
    public async Task Chat_TemplateRaises_Returns400WithTheTemplatesMessage()
    {
        const string alternating =
            "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}{{ '<|im_start|>assistant\\n' }}";
        await UploadAsync("strict", Zip(fixture.Files.Onnx, template: alternating));
        using var bad = await Host.Client.PostAsJsonAsync("v1/chat/completions", new
        {
            model = "strict",
            messages = new[] { new { role = "user", content = "a" }, new { role = "user", content = "b" } },
            max_tokens = 4,
        });
        await OpenAiApiTests.AssertProblemAsync(bad, 400, "Conversation roles must alternate");
        using var good = await Host.Client.PostAsJsonAsync("v1/chat/completions", new { model = "strict", messages = new[] { new { role = "user", content = "a" } }, max_tokens = 4 });
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    private async Task AssertRejectedAsync(string name, byte[] zip, string expected)
    {
        using var body = new ByteArrayContent(zip);
        using var response = await Host.Client.PostAsync($"v1/llm/models?name={name}", body);
        var text = await response.Content.ReadAsStringAsync();
        await OpenAiApiTests.AssertProblemAsync(response, 400, expected);
        Assert.DoesNotContain(Host.State, text, StringComparison.Ordinal);
        Assert.False(Host.Catalog.Contains(name));
        Assert.False(Directory.Exists(Path.Combine(Host.State, "llm", name)));
        using var alive = await Host.Client.PostAsJsonAsync("v1/completions", new { model = "tl-onnx", prompt = "hello", max_tokens = 2 });
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    private async Task UploadAsync(string name, byte[] zip)
    {
        using var body = new ByteArrayContent(zip);
        body.Headers.ContentType = new("application/zip");
        using var response = await Host.Client.PostAsync($"v1/llm/models?name={name}", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    // The folder as a zip, optionally without one file or with another chat template.
    private static byte[] Zip(string folder, string? skip = null, string? template = null)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.GetFiles(folder))
            {
                var name = Path.GetFileName(file);
                if (name == skip)
                {
                    continue;
                }

                using var entry = archive.CreateEntry(name).Open();
                if (template is not null && name == "tokenizer_config.json")
                {
                    var config = JsonNode.Parse(File.ReadAllText(file))!;
                    config["chat_template"] = template;
                    entry.Write(System.Text.Encoding.UTF8.GetBytes(config.ToJsonString()));
                }
                else
                {
                    using var source = File.OpenRead(file);
                    source.CopyTo(entry);
                }
            }
        }

        return buffer.ToArray();
    }

    private ChatClient Chat(string model) =>
        new(model, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(Host.Address, "v1") });
}
