using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Llm;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

public sealed class ModelFolderTests(TinyLmFolder model) : IClassFixture<TinyLmFolder>
{
    [Fact]
    public void Tokenizer_TokenizerJson_RoundTripsUnicodeAndMatchesSpecialTokensWhole()
    {
        var tokenizer = LlmTokenizer.Load(model.Path);
        var text = "Hello, the world! Grüße ✓ 数字 42";
        var ids = tokenizer.Encode(text);
        Assert.Equal(text, tokenizer.Decode(ids));
        // Merges apply: " the" is one token, fewer tokens than bytes.
        Assert.True(ids.Length < System.Text.Encoding.UTF8.GetByteCount(text));
        var vocabulary = TinyLmBuilder.Vocabulary();
        Assert.Contains(vocabulary["Ġthe"], ids);
        Assert.Equal([vocabulary["<|im_start|>"]], tokenizer.Encode("<|im_start|>"));
    }

    [Fact]
    public void Tokenizer_VocabJsonAndMerges_LoadsTheSameVocabulary()
    {
        var folder = Path.Combine(Path.GetTempPath(), "vocab-merges-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            using var tokenizerJson = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(model.Path, "tokenizer.json")));
            var bpe = tokenizerJson.RootElement.GetProperty("model");
            File.WriteAllText(Path.Combine(folder, "vocab.json"), bpe.GetProperty("vocab").GetRawText());
            File.WriteAllLines(Path.Combine(folder, "merges.txt"), ["#version: 0.2", .. bpe.GetProperty("merges").EnumerateArray().Select(m => m.GetString()!)]);
            var fromJson = LlmTokenizer.Load(model.Path);
            var fromFiles = LlmTokenizer.Load(folder);
            var text = "the cat sat on the mat";
            Assert.Equal(fromJson.Encode(text), fromFiles.Encode(text));
            Assert.Equal(text, fromFiles.Decode(fromFiles.Encode(text)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Generation_EosFromGenerationConfig_EndsWithFinishStop()
    {
        // Copy the tiny LM, learn its greedy continuation, then declare the third generated token an eos id.
        var folder = Path.Combine(Path.GetTempPath(), "eos-" + Guid.NewGuid().ToString("N"));
        CopyFolder(model.Path, folder);
        try
        {
            await using var first = await LlmHost.StartAsync(new Dictionary<string, string?> { ["Llm:TinyLm"] = "", ["Llm:Models:m:Path"] = folder });
            using var greedy = await first.Client.PostAsJsonAsync("v1/completions", new { model = "m", prompt = "Hello", max_tokens = 6, temperature = 0, prompt_logprobs = false });
            Assert.Equal(HttpStatusCode.OK, greedy.StatusCode);
            var tokenizer = LlmTokenizer.Load(folder);
            var prompt = tokenizer.Encode("Hello");
            first.Catalog.TryGetLocal("m", out var loaded);
            var third = GreedyTokens((DecoderSession)loaded.Engine.Decoder, prompt, 3)[2];
            await first.DisposeAsync();

            File.WriteAllText(Path.Combine(folder, "generation_config.json"), $$"""{"eos_token_id": [{{third}}]}""");
            await using var second = await LlmHost.StartAsync(new Dictionary<string, string?> { ["Llm:TinyLm"] = "", ["Llm:Models:m:Path"] = folder });
            using var response = await second.Client.PostAsJsonAsync("v1/completions", new { model = "m", prompt = "Hello", max_tokens = 6, temperature = 0 });
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("stop", json.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
            Assert.Equal(3, json.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Upload_ZipOfTheFolder_ServedUnderItsName()
    {
        await using var host = await LlmHost.StartAsync(new Dictionary<string, string?> { ["Llm:TinyLm"] = "" });
        var zip = Path.Combine(Path.GetTempPath(), "tiny-" + Guid.NewGuid().ToString("N") + ".zip");
        ZipFile.CreateFromDirectory(model.Path, zip);
        try
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(zip));
            content.Headers.ContentType = new("application/zip");
            using var created = await host.Client.PostAsync("v1/llm/models?name=uploaded-lm", content);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            using var info = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
            Assert.Equal("llm", info.RootElement.GetProperty("kind").GetString());
            Assert.Equal(512, info.RootElement.GetProperty("context_length").GetInt32());
            Assert.True(File.Exists(Path.Combine(host.State, "llm", "uploaded-lm", "model.onnx")));

            using var completion = await host.Client.PostAsJsonAsync("v1/completions", new { model = "uploaded-lm", prompt = "Hi", max_tokens = 3 });
            Assert.Equal(HttpStatusCode.OK, completion.StatusCode);

            using var again = new ByteArrayContent(await File.ReadAllBytesAsync(zip));
            using var conflict = await host.Client.PostAsync("v1/llm/models?name=uploaded-lm", again);
            await OpenAiApiTests.AssertProblemAsync(conflict, 409, "already served");
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [Fact]
    public async Task Upload_NotAZipOrNotAModel_Returns400AndKeepsNothing()
    {
        await using var host = await LlmHost.StartAsync(new Dictionary<string, string?> { ["Llm:TinyLm"] = "" });
        using var garbage = await host.Client.PostAsync("v1/llm/models?name=bad", new ByteArrayContent([1, 2, 3, 4]));
        await OpenAiApiTests.AssertProblemAsync(garbage, 400, "zip");

        using var zipStream = new MemoryStream();
        using (var archive = new ZipArchive(zipStream, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(archive.CreateEntry("config.json").Open());
            writer.Write("{}");
        }

        using var noModel = await host.Client.PostAsync("v1/llm/models?name=bad", new ByteArrayContent(zipStream.ToArray()));
        await OpenAiApiTests.AssertProblemAsync(noModel, 400, ".onnx");
        Assert.False(Directory.Exists(Path.Combine(host.State, "llm", "bad")));
        using var unknown = await host.Client.PostAsJsonAsync("v1/completions", new { model = "bad", prompt = "x" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    internal static int[] GreedyTokens(DecoderSession session, int[] prompt, int count)
    {
        var tokens = new int[prompt.Length + count];
        prompt.CopyTo(tokens, 0);
        using var cache = session.CreateCache(tokens.Length);
        var logits = new float[session.VocabSize];
        session.Forward([new StepRow(cache, tokens, 0, prompt.Length)], logits);
        for (var i = 0; i < count; i++)
        {
            var best = 0;
            for (var v = 1; v < logits.Length; v++)
            {
                best = logits[v] > logits[best] ? v : best;
            }

            tokens[prompt.Length + i] = best;
            if (i < count - 1)
            {
                session.Forward([new StepRow(cache, tokens, prompt.Length + i, 1)], logits);
            }
        }

        return tokens[prompt.Length..];
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
