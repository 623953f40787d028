using System.Text.Json;

namespace BenchPlatform.Gateway.Validation;

/// <summary>
/// The shape checks the gateway does before forwarding a JSON body: required fields, types and ranges
/// that do not depend on the model (the worker checks names, shapes and datatypes against the model).
/// </summary>
internal static class JsonBodyRules
{
    private static readonly string[] Strategies = ["baseline", "reread", "diverse_sampling", "best_of_n"];

    private static readonly string[] Roles = ["system", "user", "assistant", "tool", "developer"];

    /// <summary>
    /// The first rule <paramref name="root"/> breaks, or null. Infer bodies are not checked here: the gateway reads them
    /// with the contract's own reader (<see cref="Protocol.Inference.InferBodyReader"/>).
    /// </summary>
    public static ValidationError? Check(BodyKind kind, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new("body", $"The body must be a JSON object, not {Describe(root)}.");
        }

        return kind switch
        {
            BodyKind.Completion => Completion(root),
            BodyKind.ChatCompletion => ChatCompletion(root),
            BodyKind.BlockRun => BlockRun(root),
            BodyKind.BlockRegister => BlockRegister(root),
            BodyKind.BlockRunNamed => OptionalObject(root, "inputs"),
            BodyKind.Scale => Scale(root),
            BodyKind.Warmup => Warmup(root),
            _ => null,
        };
    }

    private static ValidationError? Completion(JsonElement root)
    {
        if (!root.TryGetProperty("prompt", out var prompt)
            || !(prompt.ValueKind == JsonValueKind.String || (prompt.ValueKind == JsonValueKind.Array && (AllStrings(prompt) || AllTokenIds(prompt)))))
        {
            return new("prompt", "'prompt' is required: a string, an array of strings, or an array of token ids (integers ≥ 0).");
        }

        return Sampling(root);
    }

    private static ValidationError? ChatCompletion(JsonElement root)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            return new("messages", "'messages' is required: a non-empty array of {\"role\",\"content\"}.");
        }

        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var path = $"messages[{index}]";
            if (message.ValueKind != JsonValueKind.Object)
            {
                return new(path, $"'{path}' must be an object {{\"role\",\"content\"}}.");
            }

            if (!message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String || Array.IndexOf(Roles, role.GetString()) < 0)
            {
                return new($"{path}.role", $"'{path}.role' must be one of {string.Join(", ", Roles)}.");
            }

            if (!message.TryGetProperty("content", out var content)
                || content.ValueKind is not (JsonValueKind.String or JsonValueKind.Array or JsonValueKind.Null))
            {
                return new($"{path}.content", $"'{path}.content' is required: a string.");
            }

            index++;
        }

        return Sampling(root);
    }

    private static ValidationError? Sampling(JsonElement root)
    {
        return OptionalString(root, "model")
            ?? Integer(root, "max_tokens", 1, int.MaxValue)
            ?? Number(root, "temperature", 0, 2)
            ?? Number(root, "top_p", 0, 1)
            ?? Integer(root, "n", 1, 128)
            ?? Integer(root, "seed", long.MinValue, long.MaxValue)
            ?? Boolean(root, "stream")
            ?? Stop(root)
            ?? Strategy(root);
    }

    private static ValidationError? Stop(JsonElement root)
    {
        if (!root.TryGetProperty("stop", out var stop) || stop.ValueKind is JsonValueKind.Null or JsonValueKind.String)
        {
            return null;
        }

        return stop.ValueKind == JsonValueKind.Array && AllStrings(stop) ? null : new("stop", "'stop' must be a string or an array of strings.");
    }

    private static ValidationError? Strategy(JsonElement root)
    {
        if (!root.TryGetProperty("strategy", out var strategy))
        {
            return null;
        }

        return strategy.ValueKind == JsonValueKind.String && Array.IndexOf(Strategies, strategy.GetString()) >= 0
            ? null
            : new("strategy", $"'strategy' must be one of {string.Join(", ", Strategies)}.");
    }

    private static ValidationError? BlockRun(JsonElement root) =>
        RequiredString(root, "language", null)
        ?? RequiredString(root, "code", null)
        ?? OptionalString(root, "entrypoint")
        ?? OptionalObject(root, "inputs")
        ?? OptionalObject(root, "limits");

    private static ValidationError? BlockRegister(JsonElement root) =>
        RequiredString(root, "name", null)
        ?? RequiredString(root, "language", null)
        ?? RequiredString(root, "code", null)
        ?? OptionalString(root, "entrypoint");

    private static ValidationError? Scale(JsonElement root)
    {
        if (!root.TryGetProperty("min", out _) && !root.TryGetProperty("max", out _))
        {
            return new("min", "Send 'min' and/or 'max' (integers ≥ 0), e.g. {\"min\":0,\"max\":4}.");
        }

        foreach (var name in (string[])["min", "max"])
        {
            if (root.TryGetProperty(name, out var bound) && bound.ValueKind == JsonValueKind.Null)
            {
                return new(name, $"'{name}' must be an integer from 0 to 1024, not null; leave it out to keep the current bound.");
            }
        }

        if ((Integer(root, "min", 0, 1024) ?? Integer(root, "max", 0, 1024)) is { } error)
        {
            return error;
        }

        if (root.TryGetProperty("min", out var min) && min.ValueKind == JsonValueKind.Number
            && root.TryGetProperty("max", out var max) && max.ValueKind == JsonValueKind.Number && min.GetInt64() > max.GetInt64())
        {
            return new("min", $"'min' ({min.GetInt64()}) must not exceed 'max' ({max.GetInt64()}).");
        }

        return null;
    }

    private static ValidationError? Warmup(JsonElement root)
    {
        if (root.TryGetProperty("models", out var models) && !(models.ValueKind == JsonValueKind.Array && AllStrings(models)))
        {
            return new("models", "'models' must be an array of model names.");
        }

        return Integer(root, "min_replicas", 0, 1024);
    }

    private static ValidationError? RequiredString(JsonElement obj, string name, string? parent)
    {
        var path = parent is null ? name : $"{parent}.{name}";
        if (!obj.TryGetProperty(name, out var value))
        {
            return new(path, $"'{path}' is required: a non-empty string.");
        }

        return value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0
            ? null
            : new(path, $"'{path}' must be a non-empty string, not {Describe(value)}.");
    }

    private static ValidationError? OptionalString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)
            ? new(name, $"'{name}' must be a string, not {Describe(value)}.")
            : null;

    private static ValidationError? OptionalObject(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null)
            ? new(name, $"'{name}' must be a JSON object, not {Describe(value)}.")
            : null;

    private static ValidationError? Boolean(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null)
            ? new(name, $"'{name}' must be true or false, not {Describe(value)}.")
            : null;

    private static ValidationError? Integer(JsonElement obj, string name, long min, long max)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= min && number <= max
            ? null
            : new(name, $"'{name}' must be an integer from {min} to {max}, not {Describe(value)}.");
    }

    private static ValidationError? Number(JsonElement obj, string name, double min, double max)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.GetDouble() is var number && number >= min && number <= max
            ? null
            : new(name, $"'{name}' must be a number from {min} to {max}, not {Describe(value)}.");
    }

    private static bool AllTokenIds(JsonElement array)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var id) || id < 0)
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllStrings(JsonElement array)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Truncate(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "nothing",
    };

    private static string Truncate(string text) => text.Length <= 32 ? text : text[..32] + "…";
}
