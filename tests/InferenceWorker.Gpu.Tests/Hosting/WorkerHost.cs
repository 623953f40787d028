using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Llm;
using BenchPlatform.InferenceWorker.Management;
using BenchPlatform.InferenceWorker.Predict;
using BenchPlatform.TestCommon;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BenchPlatform.InferenceWorker.Tests.Hosting;

/// <summary>The real worker (Program.cs's composition) on a real loopback socket, with its own storage folder.</summary>
internal sealed class WorkerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsStorage;

    private WorkerHost(WebApplication app, string baseAddress, string storageRoot, bool ownsStorage)
    {
        _app = app;
        _ownsStorage = ownsStorage;
        StorageRoot = storageRoot;
        Client = new HttpClient { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    public string StorageRoot { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<WorkerHost> StartAsync(
        string registry, string? redis, IDictionary<string, string?>? settings = null, string? storageRoot = null, bool waitReady = true)
    {
        if (redis is not null)
        {
            // Hosts share one Redis but each has its own registry, so model names and versions repeat: start each clean.
            await using var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis + ",allowAdmin=true");
            foreach (var server in admin.GetServers())
            {
                await server.FlushAllDatabasesAsync();
            }
        }

        var ownsStorage = storageRoot is null;
        storageRoot ??= Path.Combine(Path.GetTempPath(), $"benchplatform-worker-{Guid.NewGuid():N}");
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        var config = new Dictionary<string, string?>
        {
            ["ConnectionStrings:registry"] = registry,
            ["ConnectionStrings:cache"] = redis,
            ["Storage:Root"] = storageRoot,
            ["Inference:IntraOpThreads"] = "1",
            ["Llm:TinyLm"] = "", // appsettings.json turns the tiny LM on; tests that want it say so
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddServiceDefaults();
        builder.AddInferenceWorker();
        builder.AddLlmServing();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapModelsApi();
        app.MapInferenceApi();
        app.MapOpenAiApi();
        await app.StartAsync();
        var host = new WorkerHost(app, $"http://127.0.0.1:{port}/", storageRoot, ownsStorage);
        if (waitReady)
        {
            await Wait.UntilAsync(async () => (await host.Client.GetAsync("v2/health/ready")).IsSuccessStatusCode,
                TimeSpan.FromSeconds(30), "The worker did not report ready");
        }

        return host;
    }

    public async Task<HttpResponseMessage> UploadAsync(string name, byte[] bytes, string query = "")
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await Client.PostAsync($"v1/models?name={Uri.EscapeDataString(name)}{query}", content);
    }

    public async Task<JsonElement> UploadOkAsync(string name, byte[] bytes, string query = "")
    {
        using var response = await UploadAsync(name, bytes, query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"upload of {name}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task<InferCall> InferAsync(
        string name, string json, string? version = null, string? requestTimeout = null, CancellationToken cancellationToken = default)
    {
        var path = version is null ? $"v2/models/{name}/infer" : $"v2/models/{name}/versions/{version}/infer";
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (requestTimeout is not null)
        {
            request.Headers.Add("Request-Timeout", requestTimeout);
        }

        using var response = await Client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var timing = response.Headers.TryGetValues("Server-Timing", out var values) ? string.Join(", ", values) : "";
        return new InferCall((int)response.StatusCode, body, timing, response.Content.Headers.ContentType?.MediaType,
            response.Headers.RetryAfter?.ToString(), response.Headers.Contains("Inference-Header-Content-Length"));
    }

    public async Task<JsonElement> HealthAsync()
    {
        using var response = await Client.GetAsync("health");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsStorage && Directory.Exists(StorageRoot))
        {
            Directory.Delete(StorageRoot, recursive: true);
        }
    }
}

/// <summary>What an infer call returned.</summary>
internal sealed record InferCall(int Status, string Body, string ServerTiming, string? ContentType, string? RetryAfter, bool BinaryHeader = false)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public JsonElement Output(string name)
    {
        foreach (var output in Json.GetProperty("outputs").EnumerateArray())
        {
            if (output.GetProperty("name").GetString() == name)
            {
                return output;
            }
        }

        throw new KeyNotFoundException($"output {name} not in {Body}");
    }

    public float[] Floats(string name) => [.. Output(name).GetProperty("data").EnumerateArray().Select(e => e.GetSingle())];

    public string Detail => Json.GetProperty("detail").GetString()!;

    public string? Title => Json.GetProperty("title").GetString();

    public string? Type => Json.GetProperty("type").GetString();

    public bool Cached => Json.GetProperty("parameters").GetProperty("cached").GetBoolean();
}
