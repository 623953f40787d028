using System.Text;
using System.Text.Json;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// A <c>/v1/completions</c> or <c>/v1/chat/completions</c> body, read and checked field by field; every
/// mistake is an <see cref="LlmRequestException"/> (400) whose detail names the field and the allowed range.
/// </summary>
internal sealed class CompletionRequest
{
    public required string Model { get; init; }

    public string? Prompt { get; init; }

    public int[]? PromptTokens { get; init; }

    public IReadOnlyList<ChatMessage>? Messages { get; init; }

    public int? MaxTokens { get; init; }

    public float? Temperature { get; init; }

    public float? TopP { get; init; }

    public int? TopK { get; init; }

    public float RepetitionPenalty { get; init; } = 1f;

    public int? Seed { get; init; }

    public string[] Stop { get; init; } = [];

    public int? N { get; init; }

    public bool Stream { get; init; }

    public string Strategy { get; init; } = "baseline";

    public static readonly string[] Strategies = ["baseline", "reread", "diverse_sampling", "best_of_n"];

    public static CompletionRequest Parse(ReadOnlySpan<byte> body, bool chat)
    {
        if (body.IsEmpty)
        {
            throw Bad("Empty body", "Send a JSON object with at least \"model\" and " + (chat ? "\"messages\"." : "\"prompt\"."));
        }

        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw Bad("Invalid UTF-8", "The request body is not valid UTF-8; send JSON encoded as UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException e)
        {
            throw Bad("Invalid JSON", $"The body is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad("Invalid JSON", "The body must be a JSON object.");
            }

            var model = String(root, "model") ?? throw Bad("Missing model", "Set \"model\" to a model id from GET /v1/models.");
            string? prompt = null;
            int[]? promptTokens = null;
            List<ChatMessage>? messages = null;
            if (chat)
            {
                messages = ReadMessages(root);
            }
            else
            {
                (prompt, promptTokens) = ReadPrompt(root);
            }

            var maxTokens = Int(root, "max_completion_tokens") ?? Int(root, "max_tokens");
            if (maxTokens is <= 0)
            {
                throw Bad("Invalid max_tokens", $"max_tokens must be at least 1; it was {maxTokens}.");
            }

            var temperature = Float(root, "temperature");
            if (temperature is < 0f or > 2f || temperature is { } t && float.IsNaN(t))
            {
                throw Bad("Invalid temperature", $"temperature must be between 0 and 2; it was {temperature}.");
            }

            var topP = Float(root, "top_p");
            if (topP is <= 0f or > 1f || topP is { } p && float.IsNaN(p))
            {
                throw Bad("Invalid top_p", $"top_p must be in (0, 1]; it was {topP}.");
            }

            var topK = Int(root, "top_k");
            if (topK is < 0)
            {
                throw Bad("Invalid top_k", $"top_k must be 0 (off) or more; it was {topK}.");
            }

            var penalty = Float(root, "repetition_penalty") ?? 1f;
            if (penalty is <= 0f or > 10f || float.IsNaN(penalty))
            {
                throw Bad("Invalid repetition_penalty", $"repetition_penalty must be in (0, 10]; it was {penalty}.");
            }

            var n = Int(root, "n");
            if (n is < 1 or > 16)
            {
                throw Bad("Invalid n", $"n must be between 1 and 16; it was {n}.");
            }

            var strategy = String(root, "strategy") ?? "baseline";
            if (Array.IndexOf(Strategies, strategy) < 0)
            {
                throw Bad("Unknown strategy", $"strategy '{strategy}' is unknown; use one of {string.Join(", ", Strategies)}.");
            }

            var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
            if (stream && strategy is "diverse_sampling" or "best_of_n")
            {
                throw Bad("Strategy does not stream", $"strategy '{strategy}' picks one of several finished samples; set \"stream\": false.");
            }

            long? seed = root.TryGetProperty("seed", out var seedElement) && seedElement.ValueKind == JsonValueKind.Number
                ? seedElement.TryGetInt64(out var seedValue) ? seedValue : throw Bad("Invalid seed", "seed must be an integer.")
                : null;
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
                Seed = seed is { } sd ? unchecked((int)sd ^ (int)(sd >> 32)) : null,
                Stop = ReadStop(root),
                N = n,
                Stream = stream,
                Strategy = strategy,
            };
        }
    }

    private static (string?, int[]?) ReadPrompt(JsonElement root)
    {
        if (!root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind == JsonValueKind.Null)
        {
            throw Bad("Missing prompt", "Set \"prompt\" to the text to complete.");
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
                if (token.ValueKind != JsonValueKind.Number || !token.TryGetInt32(out tokens[i++]))
                {
                    throw Bad("Invalid prompt", "prompt must be a string, an array of one string, or an array of token ids (integers); batches of prompts are not supported, send one request each.");
                }
            }

            return (null, tokens);
        }

        throw Bad("Invalid prompt", "prompt must be a non-empty string, an array of one string, or an array of token ids.");
    }

    private static List<ChatMessage> ReadMessages(JsonElement root)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw Bad("Missing messages", "Set \"messages\" to an array of {\"role\",\"content\"} objects.");
        }

        var list = new List<ChatMessage>();
        foreach (var message in messages.EnumerateArray())
        {
            var role = message.ValueKind == JsonValueKind.Object ? String(message, "role") : null;
            if (role is null)
            {
                throw Bad("Invalid message", $"messages[{list.Count}] needs a \"role\" (system, user, assistant).");
            }

            var content = new StringBuilder();
            if (message.TryGetProperty("content", out var c))
            {
                if (c.ValueKind == JsonValueKind.String)
                {
                    content.Append(c.GetString());
                }
                else if (c.ValueKind == JsonValueKind.Array)
                {
                    foreach (var part in c.EnumerateArray())
                    {
                        if (String(part, "type") is "text" && String(part, "text") is { } text)
                        {
                            content.Append(text);
                        }
                        else
                        {
                            throw Bad("Unsupported content", $"messages[{list.Count}].content has a part that is not text; only text parts are supported.");
                        }
                    }
                }
            }

            list.Add(new ChatMessage(role, content.ToString()));
        }

        if (list.Count == 0)
        {
            throw Bad("Empty messages", "messages must hold at least one message.");
        }

        return list;
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
                list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Bad("Invalid stop", "stop must be a string or an array of strings."));
            }
        }
        else
        {
            throw Bad("Invalid stop", "stop must be a string or an array of strings.");
        }

        if (list.Count > 4 || list.Exists(string.IsNullOrEmpty))
        {
            throw Bad("Invalid stop", "stop takes at most 4 non-empty strings.");
        }

        return [.. list];
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
            : throw Bad($"Invalid {name}", $"{name} must be an integer.");
    }

    private static float? Float(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number ? value.GetSingle() : throw Bad($"Invalid {name}", $"{name} must be a number.");
    }

    private static LlmRequestException Bad(string title, string detail) => new(StatusCodes.Status400BadRequest, title, detail);
}
