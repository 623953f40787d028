using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using BenchPlatform.Protocol.Problems;

namespace BenchPlatform.Protocol.OpenAi;

/// <summary>
/// The one reader of <c>/v1/completions</c> and <c>/v1/chat/completions</c> bodies: the gateway checks with it before
/// forwarding (<see cref="Validate"/>) and the worker reads with it (<see cref="Read"/>), so both refuse the same bodies
/// with the same problem. Every mistake is a <see cref="BadRequestException"/> (400) whose title names the field, whose
/// detail says the allowed range, and whose <see cref="BadRequestException.Field"/> is the field at fault.
/// </summary>
public static class CompletionRequestReader
{
    /// <summary>The roles a chat message may have.</summary>
    public static IReadOnlyList<string> Roles { get; } = ["system", "user", "assistant", "tool", "developer"];

    /// <summary>The largest <c>n</c>: samples per request.</summary>
    public const int MaxN = 16;

    /// <summary>The most <c>stop</c> strings.</summary>
    public const int MaxStops = 4;

    /// <summary>The gateway's mode: the refusal the worker would answer for this body, or null when it reads.</summary>
    public static BadRequestException? Validate(ReadOnlyMemory<byte> body, bool chat)
    {
        try
        {
            Read(body, chat);
            return null;
        }
        catch (BadRequestException refusal)
        {
            return refusal;
        }
    }

    /// <summary>The worker's mode: the request, or a <see cref="BadRequestException"/> naming the first field at fault.</summary>
    public static CompletionRequest Read(ReadOnlyMemory<byte> body, bool chat)
    {
        if (body.IsEmpty)
        {
            throw Bad(ProblemTitles.EmptyBody, "Send a JSON object with at least \"model\" and " + (chat ? "\"messages\"." : "\"prompt\"."), "body");
        }

        if (!Utf8.IsValid(body.Span))
        {
            throw Bad(ProblemTitles.InvalidUtf8, "The request body is not valid UTF-8; send JSON encoded as UTF-8.", "body");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw Bad(ProblemTitles.InvalidJson, $"The body is not valid JSON: {e.Message}", "body");
        }

        using (document)
        {
            return ReadObject(document.RootElement, chat);
        }
    }

    private static CompletionRequest ReadObject(JsonElement root, bool chat)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Bad(ProblemTitles.InvalidJson, "The body must be a JSON object.", "body");
        }

        var model = String(root, "model") ?? throw Bad(ProblemTitles.MissingModel, "Set \"model\" to a model id from GET /v1/models.", "model");
        string? prompt = null;
        int[]? promptTokens = null;
        IReadOnlyList<ChatMessage>? messages = null;
        if (chat)
        {
            messages = ReadMessages(root);
        }
        else
        {
            (prompt, promptTokens) = ReadPrompt(root);
        }

        var maxTokensField = root.TryGetProperty("max_completion_tokens", out var m) && m.ValueKind != JsonValueKind.Null ? "max_completion_tokens" : "max_tokens";
        var maxTokens = Int(root, maxTokensField);
        if (maxTokens is <= 0)
        {
            throw Bad(ProblemTitles.InvalidMaxTokens, $"max_tokens must be at least 1; it was {maxTokens}.", maxTokensField);
        }

        var temperature = Float(root, "temperature");
        if (temperature is < 0f or > 2f)
        {
            throw Bad(ProblemTitles.InvalidTemperature, $"temperature must be between 0 and 2; it was {temperature}.", "temperature");
        }

        var topP = Float(root, "top_p");
        if (topP is <= 0f or > 1f)
        {
            throw Bad(ProblemTitles.InvalidTopP, $"top_p must be in (0, 1]; it was {topP}.", "top_p");
        }

        var topK = Int(root, "top_k");
        if (topK is < 0)
        {
            throw Bad(ProblemTitles.InvalidTopK, $"top_k must be 0 (off) or more; it was {topK}.", "top_k");
        }

        var penalty = Float(root, "repetition_penalty") ?? 1f;
        if (penalty is <= 0f or > 10f)
        {
            throw Bad(ProblemTitles.InvalidRepetitionPenalty, $"repetition_penalty must be in (0, 10]; it was {penalty}.", "repetition_penalty");
        }

        var n = Int(root, "n");
        if (n is < 1 or > MaxN)
        {
            throw Bad(ProblemTitles.InvalidN, $"n must be between 1 and {MaxN}; it was {n}.", "n");
        }

        var strategy = ReadStrategy(root);
        var stream = ReadStream(root);
        if (stream && strategy.Chooses())
        {
            throw Bad(ProblemTitles.StrategyDoesNotStream, $"strategy '{strategy.WireName()}' picks one of several finished samples; set \"stream\": false.", "stream");
        }

        return new CompletionRequest
        {
            Model = model,
            Prompt = prompt,
            PromptTokens = promptTokens,
            Messages = messages,
            MaxTokens = maxTokens,
            Temperature = temperature,
            TopP = topP,
            TopK = topK,
            RepetitionPenalty = penalty,
            Seed = ReadSeed(root),
            Stop = ReadStop(root),
            N = n,
            Stream = stream,
            Strategy = strategy,
        };
    }

    private static (string?, int[]?) ReadPrompt(JsonElement root)
    {
        if (!root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind == JsonValueKind.Null)
        {
            throw Bad(ProblemTitles.MissingPrompt, "Set \"prompt\" to the text to complete.", "prompt");
        }

        if (prompt.ValueKind == JsonValueKind.String)
        {
            return (prompt.GetString(), null);
        }

        if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() > 0)
        {
            if (prompt[0].ValueKind == JsonValueKind.String && prompt.GetArrayLength() == 1)
            {
                return (prompt[0].GetString(), null);
            }

            var tokens = new int[prompt.GetArrayLength()];
            var i = 0;
            foreach (var token in prompt.EnumerateArray())
            {
                if (token.ValueKind != JsonValueKind.Number || !token.TryGetInt32(out tokens[i]) || tokens[i++] < 0)
                {
                    throw Bad(ProblemTitles.InvalidPrompt, "prompt must be a string, an array of one string, or an array of token ids (integers ≥ 0); batches of prompts are not supported, send one request each.", "prompt");
                }
            }

            return (null, tokens);
        }

        throw Bad(ProblemTitles.InvalidPrompt, "prompt must be a non-empty string, an array of one string, or an array of token ids.", "prompt");
    }

    private static List<ChatMessage> ReadMessages(JsonElement root)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw Bad(ProblemTitles.MissingMessages, "Set \"messages\" to an array of {\"role\",\"content\"} objects.", "messages");
        }

        var list = new List<ChatMessage>();
        foreach (var message in messages.EnumerateArray())
        {
            var role = message.ValueKind == JsonValueKind.Object ? String(message, "role") : null;
            if (role is null || !Contains(Roles, role))
            {
                throw Bad(ProblemTitles.InvalidMessage, $"messages[{list.Count}] needs a \"role\": one of {string.Join(", ", Roles)}.",
                    message.ValueKind == JsonValueKind.Object ? $"messages[{list.Count}].role" : $"messages[{list.Count}]");
            }

            list.Add(new ChatMessage(role, ReadContent(message, list.Count)));
        }

        if (list.Count == 0)
        {
            throw Bad(ProblemTitles.EmptyMessages, "messages must hold at least one message.", "messages");
        }

        return list;
    }

    // A string, text parts joined, or nothing (an empty content).
    private static string ReadContent(JsonElement message, int index)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return "";
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw Bad(ProblemTitles.InvalidMessage, $"messages[{index}].content must be a string or an array of text parts.", $"messages[{index}].content");
        }

        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (String(part, "type") is "text" && String(part, "text") is { } partText)
            {
                text.Append(partText);
            }
            else
            {
                throw Bad(ProblemTitles.UnsupportedContent, $"messages[{index}].content has a part that is not text; only text parts are supported.", $"messages[{index}].content");
            }
        }

        return text.ToString();
    }

    private static CompletionStrategy ReadStrategy(JsonElement root)
    {
        if (!root.TryGetProperty("strategy", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return CompletionStrategy.Baseline;
        }

        var name = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
        return CompletionStrategies.TryParse(value.ValueKind == JsonValueKind.String ? name : null, out var strategy)
            ? strategy
            : throw Bad(ProblemTitles.UnknownStrategy, $"strategy '{name}' is unknown; use one of {string.Join(", ", CompletionStrategies.Names)}.", "strategy");
    }

    private static bool ReadStream(JsonElement root)
    {
        if (!root.TryGetProperty("stream", out var value))
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw Bad(ProblemTitles.InvalidStream, $"stream must be true or false; it was {value.GetRawText()}.", "stream"),
        };
    }

    private static long? ReadSeed(JsonElement root)
    {
        if (!root.TryGetProperty("seed", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seed)
            ? seed
            : throw Bad(ProblemTitles.InvalidSeed, "seed must be an integer.", "seed");
    }

    private static string[] ReadStop(JsonElement root)
    {
        if (!root.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        var list = new List<string>();
        if (stop.ValueKind == JsonValueKind.String)
        {
            list.Add(stop.GetString()!);
        }
        else if (stop.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in stop.EnumerateArray())
            {
                list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Bad(ProblemTitles.InvalidStop, "stop must be a string or an array of strings.", "stop"));
            }
        }
        else
        {
            throw Bad(ProblemTitles.InvalidStop, "stop must be a string or an array of strings.", "stop");
        }

        if (list.Count > MaxStops || list.Exists(string.IsNullOrEmpty))
        {
            throw Bad(ProblemTitles.InvalidStop, $"stop takes at most {MaxStops} non-empty strings.", "stop");
        }

        return [.. list];
    }

    private static bool Contains(IReadOnlyList<string> names, string name)
    {
        foreach (var candidate in names)
        {
            if (candidate == name)
            {
                return true;
            }
        }

        return false;
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    private static int? Int(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var result)
            ? result
            : throw Bad($"Invalid {name}", $"{name} must be an integer.", name);
    }

    private static float? Float(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number ? value.GetSingle() : throw Bad($"Invalid {name}", $"{name} must be a number.", name);
    }

    private static BadRequestException Bad(string title, string detail, string field) => new(title, detail, field);
}
