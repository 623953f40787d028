using BenchPlatform.InferenceWorker.Llm;
using BenchPlatform.TestCommon;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>
/// A real Kestrel host (127.0.0.1, free port) serving only the LLM feature, with the tiny LM written into
/// its own state folder by the same start-up path the worker uses.
/// </summary>
public sealed class LlmHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _state;

    private LlmHost(WebApplication app, string state, Uri address)
    {
        _app = app;
        _state = state;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    internal LlmCatalog Catalog => _app.Services.GetRequiredService<LlmCatalog>();

    internal IServiceProvider Services => _app.Services;

    internal GenerationEngine Engine(string name = "tiny-lm") =>
        Catalog.TryGetLocal(name, out var model) ? model.Engine : throw new InvalidOperationException($"{name} is not loaded");

    public string State => _state;

    public static async Task<LlmHost> StartAsync(IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var state = Path.Combine(Path.GetTempPath(), "llm-host-" + Guid.NewGuid().ToString("N"));
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var config = new Dictionary<string, string?>
        {
            ["Storage:Root"] = state,
            ["Llm:TinyLm"] = "tiny-lm",
            ["Llm:IntraOpThreads"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.AddLlmServing();
        var app = builder.Build();
        app.MapOpenAiApi();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }

            throw;
        }

        return new LlmHost(app, state, new Uri($"http://127.0.0.1:{port}/"));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }
}
