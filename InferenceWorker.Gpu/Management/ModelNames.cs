using System.Text.RegularExpressions;

namespace BenchPlatform.InferenceWorker.Management;

/// <summary>What a model name may be: 1–128 of letters, digits, <c>.</c>, <c>_</c>, <c>-</c>, starting with a letter or digit (no path characters).</summary>
public static partial class ModelNames
{
    /// <summary>Null when <paramref name="name"/> is valid, else the problem detail.</summary>
    public static string? Check(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Give the model a name: POST /v1/models?name=NAME (letters, digits, '.', '_', '-').";
        }

        return Valid().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal)
            ? null
            : $"Model name '{name}' is not allowed: use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit (no '/', '\\', '..' or spaces).";
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex Valid();
}
