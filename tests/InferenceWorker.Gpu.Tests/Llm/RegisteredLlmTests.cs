using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.TestCommon;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>
/// Uploaded LLMs are registered (PostgreSQL + the blob folder): a replica started later serves them from the start, a
/// replica already running serves them on the first request, and both survive a restart, with the same answers.
/// </summary>
[Collection(InferenceCollection.Name)]
public sealed class RegisteredLlmTests(PostgresFixture postgres) : IDisposable
{
    private readonly TinyLlamaFiles _files = new();
    private readonly string _storage = Path.Combine(Path.GetTempPath(), "llm-registry-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task UploadedLlms_OtherReplicasAndRestarts_ServeThemWithTheSameAnswers()
    {
        var database = await postgres.CreateDatabaseAsync("llmreg");
        string ggufAnswer, onnxAnswer;
        await using (var running = await WorkerHost.StartAsync(database, null, storageRoot: _storage))
        {
            await using (var uploader = await WorkerHost.StartAsync(database, null, storageRoot: _storage))
            {
                await UploadAsync(uploader.Client, "reg-gguf", await File.ReadAllBytesAsync(_files.Gguf));
                await UploadAsync(uploader.Client, "reg-onnx", Zip(_files.Onnx));
                ggufAnswer = await CompleteAsync(uploader.Client, "reg-gguf");
                onnxAnswer = await CompleteAsync(uploader.Client, "reg-onnx");
                Assert.Equal(onnxAnswer, ggufAnswer);
            }

            // A replica that was running during the uploads: loaded on the first request.
            Assert.Equal(ggufAnswer, await CompleteAsync(running.Client, "reg-gguf"));
            Assert.Equal(onnxAnswer, await CompleteAsync(running.Client, "reg-onnx"));
        }

        // A replica started afterwards (a scale-up or a restart): served from the start, listed with kind llm.
        await using var restarted = await WorkerHost.StartAsync(database, null, storageRoot: _storage);
        using var list = JsonDocument.Parse(await restarted.Client.GetStringAsync("v1/models"));
        var llms = list.RootElement.GetProperty("data").EnumerateArray()
            .Where(m => m.GetProperty("kind").GetString() == "llm").Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Contains("reg-gguf", llms);
        Assert.Contains("reg-onnx", llms);
        Assert.Equal(ggufAnswer, await CompleteAsync(restarted.Client, "reg-gguf"));
        Assert.Equal(onnxAnswer, await CompleteAsync(restarted.Client, "reg-onnx"));

        // A name the registry does not have is still a 404.
        using var unknown = await restarted.Client.PostAsJsonAsync("v1/completions", new { model = "never-uploaded", prompt = "hi" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    public void Dispose()
    {
        _files.Dispose();
        if (Directory.Exists(_storage))
        {
            Directory.Delete(_storage, recursive: true);
        }
    }

    private static async Task UploadAsync(HttpClient client, string name, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        using var response = await client.PostAsync($"v1/llm/models?name={name}", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        using var json = JsonDocument.Parse(text);
        Assert.True(json.RootElement.GetProperty("registered").GetBoolean());
    }

    private static async Task<string> CompleteAsync(HttpClient client, string model)
    {
        using var response = await client.PostAsJsonAsync("v1/completions", new { model, prompt = "Once upon a time", max_tokens = 12, temperature = 0 });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }

    private static byte[] Zip(string folder)
    {
        using var buffer = new MemoryStream();
        ZipFile.CreateFromDirectory(folder, buffer);
        return buffer.ToArray();
    }
}
