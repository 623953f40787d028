using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace BenchPlatform.SandboxRunner.Runs;

/// <summary>Validates run and registration bodies; every rejection names the field and what to change.</summary>
internal static partial class RunRequestParser
{
    public const string Python = "python";
    private static readonly ReadOnlyMemory<byte> EmptyObject = "{}"u8.ToArray();

    /// <summary>The parts of an ad-hoc run or registration body.</summary>
    public readonly record struct BlockSource(string Language, JsonElement Code, JsonElement Entrypoint);

    /// <summary>Reads <c>language</c>, <c>code</c> and <c>entrypoint</c>; null and a detail when one is wrong.</summary>
    public static string? ReadSource(JsonElement root, SandboxOptions options, out BlockSource source)
    {
        source = default;
        var language = Python;
        if (root.TryGetProperty("language", out var lang) && lang.ValueKind != JsonValueKind.Null)
        {
            if (lang.ValueKind != JsonValueKind.String)
            {
                return "'language' must be a string; use \"python\".";
            }

            language = lang.GetString()!;
            if (!string.Equals(language, Python, StringComparison.Ordinal))
            {
                return $"Language '{language}' is not supported; use \"python\".";
            }
        }

        if (!root.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.String || code.ValueEquals(""))
        {
            return "'code' is required: Python source as a string that defines the entrypoint, e.g. \"def run(inputs):\\n    return {}\".";
        }

        var codeBytes = JsonMarshal.GetRawUtf8Value(code).Length;
        if (codeBytes > options.MaxCodeBytes)
        {
            return $"'code' is {codeBytes} bytes; the limit is {options.MaxCodeBytes}. Move data into 'inputs' or shorten the block.";
        }

        var entrypoint = default(JsonElement);
        if (root.TryGetProperty("entrypoint", out var entry) && entry.ValueKind != JsonValueKind.Null)
        {
            if (entry.ValueKind != JsonValueKind.String || !IdentifierPattern().IsMatch(entry.GetString()!))
            {
                return "'entrypoint' must be the name of a Python function defined by 'code' (letters, digits, underscores; default \"run\").";
            }

            entrypoint = entry;
        }

        source = new BlockSource(language, code, entrypoint);
        return null;
    }

    /// <summary>Reads <c>inputs</c> and <c>limits</c>; null and a detail when one is wrong.</summary>
    public static string? ReadRunParameters(JsonElement root, SandboxOptions options, out ReadOnlyMemory<byte> inputs, out int timeoutMs, out int memoryMb)
    {
        inputs = EmptyObject;
        timeoutMs = options.DefaultTimeoutMs;
        memoryMb = options.DefaultMemoryMb;
        if (root.TryGetProperty("inputs", out var inputsElement) && inputsElement.ValueKind != JsonValueKind.Null)
        {
            if (inputsElement.ValueKind != JsonValueKind.Object)
            {
                return "'inputs' must be a JSON object; the block's entrypoint receives it as a dict.";
            }

            inputs = JsonMarshal.GetRawUtf8Value(inputsElement).ToArray();
        }

        if (!root.TryGetProperty("limits", out var limits) || limits.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (limits.ValueKind != JsonValueKind.Object)
        {
            return "'limits' must be an object like {\"timeout_ms\":2000,\"memory_mb\":256}.";
        }

        foreach (var property in limits.EnumerateObject())
        {
            switch (property.Name)
            {
                case "timeout_ms":
                    if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out timeoutMs) || timeoutMs < 1 || timeoutMs > options.MaxTimeoutMs)
                    {
                        return $"'limits.timeout_ms' must be an integer from 1 to {options.MaxTimeoutMs}.";
                    }

                    break;
                case "memory_mb":
                    if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out memoryMb) || memoryMb < options.MinMemoryMb || memoryMb > options.MaxMemoryMb)
                    {
                        return $"'limits.memory_mb' must be an integer from {options.MinMemoryMb} to {options.MaxMemoryMb}.";
                    }

                    break;
                default:
                    return $"'limits.{property.Name}' is not a known limit; use 'timeout_ms' and 'memory_mb'.";
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="name"/> can name a registered block.</summary>
    public static bool IsValidBlockName(string name) => BlockNamePattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex BlockNamePattern();
}
