using System.Text.Json;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// What the model folder's <c>config.json</c> and <c>generation_config.json</c> say: context length,
/// end-of-sequence ids and default sampling values.
/// </summary>
internal sealed record LlmModelConfig(int ContextLength, int[] EosTokenIds, int? BosTokenId, float DefaultTemperature, float DefaultTopP, int DefaultTopK, string? ChatTemplate)
{
    /// <summary>Whether a prompt starts with the BOS token (<c>tokenizer_config.json</c> <c>add_bos_token</c>, the GGUF's <c>tokenizer.ggml.add_bos_token</c>).</summary>
    public bool AddBos { get; init; }

    /// <summary>The BOS token's text (<c>bos_token</c> in chat templates).</summary>
    public string? BosToken { get; init; }

    /// <summary>The EOS token's text (<c>eos_token</c> in chat templates).</summary>
    public string? EosToken { get; init; }

    /// <summary>Where the context length came from, for error messages.</summary>
    public string ContextSource { get; init; } = "config.json max_position_embeddings";

    private const int FallbackContext = 2048;

    public static LlmModelConfig Load(string directory)
    {
        var context = FallbackContext;
        var eos = new List<int>();
        int? bos = null;
        float temperature = 1f, topP = 1f;
        var topK = 0;
        string? template = null, bosToken = null, eosToken = null;
        var addBos = false;
        if (ReadJson(Path.Combine(directory, "config.json")) is { } config)
        {
            foreach (var key in (ReadOnlySpan<string>)["max_position_embeddings", "n_positions", "max_sequence_length", "seq_length"])
            {
                if (config.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Number)
                {
                    context = value.GetInt32();
                    break;
                }
            }

            AddIds(config, "eos_token_id", eos);
            bos = config.TryGetProperty("bos_token_id", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetInt32() : null;
        }

        if (ReadJson(Path.Combine(directory, "generation_config.json")) is { } generation)
        {
            var fromGeneration = new List<int>();
            AddIds(generation, "eos_token_id", fromGeneration);
            if (fromGeneration.Count > 0)
            {
                eos = fromGeneration;
            }

            temperature = generation.TryGetProperty("temperature", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetSingle() : temperature;
            topP = generation.TryGetProperty("top_p", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetSingle() : topP;
            topK = generation.TryGetProperty("top_k", out var k) && k.ValueKind == JsonValueKind.Number ? k.GetInt32() : topK;
            if (bos is null && generation.TryGetProperty("bos_token_id", out var gb) && gb.ValueKind == JsonValueKind.Number)
            {
                bos = gb.GetInt32();
            }
        }

        if (ReadJson(Path.Combine(directory, "tokenizer_config.json")) is { } tokenizerConfig)
        {
            template = Template(tokenizerConfig);
            bosToken = TokenText(tokenizerConfig, "bos_token");
            eosToken = TokenText(tokenizerConfig, "eos_token");
            addBos = tokenizerConfig.TryGetProperty("add_bos_token", out var add) && add.ValueKind == JsonValueKind.True;
        }

        // Newer exports keep the template in its own file.
        var jinja = Path.Combine(directory, "chat_template.jinja");
        if (template is null && File.Exists(jinja))
        {
            template = File.ReadAllText(jinja);
        }

        return new LlmModelConfig(context, [.. eos], bos, temperature, topP, topK, template) { AddBos = addBos, BosToken = bosToken, EosToken = eosToken };
    }

    // A string, or a list of {name, template} (the one named "default").
    private static string? Template(JsonElement tokenizerConfig)
    {
        if (!tokenizerConfig.TryGetProperty("chat_template", out var chat))
        {
            return null;
        }

        if (chat.ValueKind == JsonValueKind.String)
        {
            return chat.GetString();
        }

        if (chat.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in chat.EnumerateArray())
            {
                if (entry.TryGetProperty("name", out var name) && name.GetString() == "default" && entry.TryGetProperty("template", out var text))
                {
                    return text.GetString();
                }
            }
        }

        return null;
    }

    // "bos_token": "<s>" or {"content": "<s>", …}.
    private static string? TokenText(JsonElement tokenizerConfig, string name) =>
        !tokenizerConfig.TryGetProperty(name, out var token) ? null
        : token.ValueKind == JsonValueKind.String ? token.GetString()
        : token.ValueKind == JsonValueKind.Object && token.TryGetProperty("content", out var content) ? content.GetString()
        : null;

    private static void AddIds(JsonElement element, string name, List<int> ids)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            ids.Add(value.GetInt32());
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Number)
                {
                    ids.Add(item.GetInt32());
                }
            }
        }
    }

    private static JsonElement? ReadJson(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
    }
}
