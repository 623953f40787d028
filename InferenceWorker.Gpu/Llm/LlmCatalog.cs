using System.Collections.Concurrent;
using BenchPlatform.InferenceWorker.Management;
using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// The LLMs this worker serves by name, local folders and upstream engines, listed in <c>GET /v1/models</c>
/// with <c>kind: "llm"</c>. The same loader serves the built-in tiny LM and a real exported model.
/// </summary>
internal sealed partial class LlmCatalog(IOptions<LlmOptions> options, TimeProvider time, ILoggerFactory loggers) : IModelListSource, IDisposable
{
    private readonly ConcurrentDictionary<string, object> _models = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<LlmCatalog>();

    public bool TryGetLocal(string name, out LocalLlm model)
    {
        _models.TryGetValue(name, out var found);
        model = (found as LocalLlm)!;
        return model is not null;
    }

    public bool TryGetUpstream(string name, out UpstreamLlm model)
    {
        _models.TryGetValue(name, out var found);
        model = (found as UpstreamLlm)!;
        return model is not null;
    }

    public bool Contains(string name) => _models.ContainsKey(name);

    public IEnumerable<LocalLlm> Local
    {
        get
        {
            foreach (var model in _models.Values)
            {
                if (model is LocalLlm local)
                {
                    yield return local;
                }
            }
        }
    }

    /// <summary>Loads the folder and starts its generation loop; throws <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public LocalLlm LoadLocal(string name, string directory)
    {
        var onnx = FindModelFile(directory);
        var config = LlmModelConfig.Load(directory);
        var tokenizer = LlmTokenizer.Load(directory);
        DecoderSession session;
        try
        {
            session = new DecoderSession(onnx, options.Value.IntraOpThreads);
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{onnx} does not load in ONNX Runtime: {e.Message}", e);
        }

        var engine = new GenerationEngine(name, session, config.EosTokenIds, options.Value, time, _logger);
        var model = new LocalLlm(name, directory, tokenizer, config, engine, time.GetUtcNow().ToUnixTimeSeconds());
        if (!_models.TryAdd(name, model))
        {
            model.Dispose();
            throw new InvalidOperationException($"An LLM named '{name}' is already served.");
        }

        LogLoaded(_logger, name, directory, session.Layers, session.VocabSize, config.ContextLength);
        return model;
    }

    public void AddUpstream(string name, LlmModelOptions model)
    {
        var baseUrl = model.Upstream!.TrimEnd('/');
        _models[name] = new UpstreamLlm(name, new Uri(baseUrl), model.UpstreamModel ?? name, model.UpstreamApiKey, time.GetUtcNow().ToUnixTimeSeconds());
        LogUpstream(_logger, name, baseUrl);
    }

    public Task<IReadOnlyList<ModelListEntry>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = new List<ModelListEntry>();
        foreach (var model in _models.Values)
        {
            entries.Add(model switch
            {
                LocalLlm local => new ModelListEntry(local.Name, local.Created, "llm"),
                UpstreamLlm upstream => new ModelListEntry(upstream.Name, upstream.Created, "llm"),
                _ => throw new InvalidOperationException(),
            });
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return Task.FromResult<IReadOnlyList<ModelListEntry>>(entries);
    }

    private static string FindModelFile(string directory)
    {
        foreach (var candidate in (ReadOnlySpan<string>)["model.onnx", "decoder_model_merged.onnx", "decoder_with_past_model.onnx"])
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        var onnx = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.onnx") : [];
        return onnx.Length == 1
            ? onnx[0]
            : throw new InvalidDataException($"{directory} has {onnx.Length} .onnx files; name the decoder model.onnx.");
    }

    public void Dispose()
    {
        foreach (var model in _models.Values)
        {
            (model as IDisposable)?.Dispose();
        }

        _models.Clear();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "LLM {Model} loaded from {Directory}: {Layers} layers, vocabulary {Vocabulary}, context {Context}")]
    private static partial void LogLoaded(ILogger logger, string model, string directory, int layers, int vocabulary, int context);

    [LoggerMessage(Level = LogLevel.Information, Message = "LLM {Model} is served by the upstream {Upstream}")]
    private static partial void LogUpstream(ILogger logger, string model, string upstream);
}
