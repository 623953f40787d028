using System.Collections.Concurrent;
using BenchPlatform.InferenceWorker.Llm.Gguf;
using BenchPlatform.InferenceWorker.Llm.Templates;
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

    /// <summary>
    /// Loads an ONNX model folder, a GGUF file, or a folder holding one <c>.gguf</c>, and starts its generation loop;
    /// throws <see cref="InvalidDataException"/> naming what is wrong.
    /// </summary>
    public LocalLlm LoadLocal(string name, string directory)
    {
        if (FindGguf(directory) is { } gguf)
        {
            return LoadGguf(name, gguf);
        }

        var onnx = FindModelFile(directory);
        var config = LlmModelConfig.Load(directory);
        var tokenizer = LlmTokenizer.Load(directory, config);
        var template = config.ChatTemplate is { } source ? ChatTemplate.Parse(source, config.BosToken, config.EosToken, "tokenizer_config.json chat_template") : null;
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
        var model = new LocalLlm(name, directory, tokenizer, config, engine, time.GetUtcNow().ToUnixTimeSeconds(), template);
        Add(model);
        LogLoaded(_logger, name, directory, session.EngineName, session.Layers, session.VocabSize, config.ContextLength);
        return model;
    }

    private LocalLlm LoadGguf(string name, string path)
    {
        var header = GgufHeader.Read(path);
        var settings = options.Value;

        // A KV stream per batch row: the KV budget split between them, at most the trained context each.
        var sequences = Math.Clamp(settings.MaxBatch, 1, 256);
        LlamaNativeLog.UseLogger(_logger);
        var decoder = LlamaDecoder.Load(path, header, sequences, (int)Math.Min(settings.KvBudgetTokens, 1L << 20), settings.IntraOpThreads);
        try
        {
            var tokenizer = decoder.Tokenizer;
            var context = decoder.SequenceContext;
            var config = new LlmModelConfig(context, decoder.Tokenizer.EndOfGeneration, tokenizer.BosTokenId, 1f, 1f, 0, header.ChatTemplate)
            {
                AddBos = tokenizer.AddBos,
                BosToken = TextOf(tokenizer, tokenizer.BosTokenId),
                EosToken = TextOf(tokenizer, decoder.Tokenizer.EndOfGeneration is [var eos, ..] ? eos : null),
                ContextSource = "the GGUF's context_length",
            };
            var template = header.ChatTemplate is { } text ? ChatTemplate.Parse(text, config.BosToken, config.EosToken, "the GGUF's tokenizer.chat_template") : null;

            var engine = new GenerationEngine(name, decoder, config.EosTokenIds, settings, time, _logger, kvBudgetTokens: decoder.ContextTokens);
            var model = new LocalLlm(name, path, tokenizer, config, engine, time.GetUtcNow().ToUnixTimeSeconds(), template);
            Add(model);
            LogLoaded(_logger, name, path, decoder.EngineName, decoder.Layers, decoder.VocabSize, context);
            return model;
        }
        catch
        {
            decoder.Dispose();
            throw;
        }
    }

    private static string? TextOf(LlmTokenizer tokenizer, int? id)
    {
        foreach (var (text, special) in tokenizer.SpecialTokens)
        {
            if (special == id)
            {
                return text;
            }
        }

        return null;
    }

    private void Add(LocalLlm model)
    {
        if (!_models.TryAdd(model.Name, model))
        {
            model.Dispose();
            throw new InvalidOperationException($"An LLM named '{model.Name}' is already served.");
        }
    }

    // A .gguf path, or a folder whose only model file is one .gguf.
    private static string? FindGguf(string path)
    {
        if (File.Exists(path))
        {
            return path;
        }

        if (!Directory.Exists(path) || Directory.GetFiles(path, "*.onnx").Length > 0)
        {
            return null;
        }

        return Directory.GetFiles(path, "*.gguf") is [var only] ? only : null;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "LLM {Model} loaded from {Directory} on {Engine}: {Layers} layers, vocabulary {Vocabulary}, context {Context}")]
    private static partial void LogLoaded(ILogger logger, string model, string directory, string engine, int layers, int vocabulary, int context);

    [LoggerMessage(Level = LogLevel.Information, Message = "LLM {Model} is served by the upstream {Upstream}")]
    private static partial void LogUpstream(ILogger logger, string model, string upstream);
}
