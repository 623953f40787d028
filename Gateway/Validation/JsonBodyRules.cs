using System.Text.Json;

namespace BenchPlatform.Gateway.Validation;

/// <summary>
/// The shape checks the gateway does before forwarding a JSON body: required fields, types and ranges
/// that do not depend on the model (the worker checks names, shapes and datatypes against the model).
/// </summary>
internal static class JsonBodyRules
{
    /// <summary>
    /// The first rule <paramref name="root"/> breaks, or null. Infer and completion bodies are not checked here: the
    /// gateway reads them with the contract's own readers (<see cref="Protocol.Inference.InferBodyReader"/>,
    /// <see cref="Protocol.OpenAi.CompletionRequestReader"/>).
    /// </summary>
    public static ValidationError? Check(BodyKind kind, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new("body", $"The body must be a JSON object, not {Describe(root)}.");
        }

        return kind switch
        {
            BodyKind.BlockRun => BlockRun(root),
            BodyKind.BlockRegister => BlockRegister(root),
            BodyKind.BlockRunNamed => OptionalObject(root, "inputs"),
            BodyKind.Scale => Scale(root),
            BodyKind.Warmup => Warmup(root),
            _ => null,
        };
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
