using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// At start: writes the tiny LM into <c>{Storage:Root}/llm/{Llm:TinyLm}</c> when configured and missing, then loads
/// every configured model folder and registers every upstream (a folder that cannot be served stops the process
/// with a message naming its key), then loads the LLMs uploaded to the registry.
/// </summary>
internal sealed partial class LlmStartup(LlmCatalog catalog, RegisteredLlms registered, IOptions<LlmOptions> options, IOptions<StorageOptions> storage, ILogger<LlmStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.TinyLm.Length > 0)
        {
            var folder = Path.Combine(storage.Value.Root, "llm", settings.TinyLm);
            if (!File.Exists(Path.Combine(folder, "model.onnx")))
            {
                WriteTinyLm(folder);
            }

            Load(settings.TinyLm, folder, "Llm:TinyLm");
        }

        foreach (var (name, model) in settings.Models)
        {
            if (model.Upstream is { Length: > 0 })
            {
                catalog.AddUpstream(name, model);
            }
            else
            {
                Load(name, model.Path!, $"Llm:Models:{name}:Path");
            }
        }

        // Uploaded LLMs (any replica's) from the registry; one that cannot be loaded is logged, not fatal.
        await registered.LoadAllAsync(cancellationToken);
    }

    private void Load(string name, string folder, string key)
    {
        try
        {
            catalog.LoadLocal(name, folder);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or System.Text.Json.JsonException)
        {
            throw new InvalidOperationException($"{key}: the LLM folder '{folder}' cannot be served: {e.Message}", e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void WriteTinyLm(string folder)
    {
        // Replicas share the state folder: write aside, then move into place; the first replica to finish wins.
        var staging = $"{folder}.tmp-{Guid.NewGuid():N}";
        TinyLmBuilder.Write(staging);
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.Move(staging, folder);
            LogTinyWritten(logger, folder);
        }
        catch (IOException) when (File.Exists(Path.Combine(folder, "model.onnx")))
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote the tiny LM into {Folder}")]
    private static partial void LogTinyWritten(ILogger logger, string folder);
}
