using System.Globalization;

namespace BenchPlatform.LoadTests.Cli;

/// <summary>Reads one option value; a value that does not fit throws a <see cref="UsageException"/> saying what to give instead.</summary>
internal static class OptionValues
{
    public static Uri ParseTarget(string name, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"{name} '{value}' is not an http(s) URL; give one like http://127.0.0.1:8080.");
        }

        return uri;
    }

    public static double ParsePositive(string name, string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number) || number <= 0)
        {
            throw new UsageException($"{name} '{value}' must be a number greater than 0 (requests per second).");
        }

        return number;
    }

    public static int ParseCount(string name, string value, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > max)
        {
            throw new UsageException($"{name} '{value}' must be a whole number from 1 to {max}.");
        }

        return number;
    }

    public static long ParseLong(string name, string value)
    {
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            throw new UsageException($"{name} '{value}' must be a whole number.");
        }

        return number;
    }

    public static TimeSpan ParseLiveInterval(string name, string value)
    {
        var interval = ParseDuration(name, value, allowZero: false);
        return interval >= TimeSpan.FromMilliseconds(100) ? interval : throw new UsageException($"{name} '{value}' is too short; give 100ms or more, e.g. 5s.");
    }

    public static TimeSpan ParseDuration(string name, string value, bool allowZero)
    {
        if (!Units.TryParseDuration(value, out var duration) || (!allowZero && duration <= TimeSpan.Zero))
        {
            throw new UsageException($"{name} '{value}' must be a duration{(allowZero ? "" : " greater than 0")} such as 30s, 500ms or 2m.");
        }

        return duration;
    }

    public static double ParsePercent(string name, string value)
    {
        var text = value.TrimEnd('%');
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number) || number < 0)
        {
            throw new UsageException($"{name} '{value}' must be a percentage such as 10%.");
        }

        return number / 100;
    }

    public static string ParseExistingFile(string name, string value)
    {
        if (!File.Exists(value))
        {
            throw new UsageException($"{name}: file '{value}' does not exist.");
        }

        return value;
    }

    public static string ParsePath(string name, string value)
    {
        if (!value.StartsWith('/'))
        {
            throw new UsageException($"{name} '{value}' must start with '/', e.g. /alive or /v1/models.");
        }

        return value;
    }

    public static HttpMethod ParseMethod(string name, string value) => value.ToUpperInvariant() switch
    {
        "GET" => HttpMethod.Get,
        "POST" => HttpMethod.Post,
        "PUT" => HttpMethod.Put,
        _ => throw new UsageException($"{name} '{value}' is not supported; use GET, POST or PUT."),
    };

    public static string NonEmpty(string name, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new UsageException($"{name} needs a non-empty value.") : value;

    public static string[] SplitList(string name, string value)
    {
        var parts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 0 ? throw new UsageException($"{name} needs at least one value.") : parts;
    }
}
