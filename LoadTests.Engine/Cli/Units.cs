using System.Globalization;

namespace BenchPlatform.LoadTests.Cli;

/// <summary>Parses the CLI's durations (<c>30s</c>, <c>500ms</c>, <c>2m</c>) and rates.</summary>
public static class Units
{
    /// <summary>A duration with a unit (us, ms, s, m, h); a bare number is seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        var span = text.AsSpan().Trim();
        var split = span.Length;
        while (split > 0 && char.IsLetter(span[split - 1]))
        {
            split--;
        }

        if (!double.TryParse(span[..split], NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || double.IsNaN(number) || double.IsInfinity(number) || number < 0)
        {
            return false;
        }

        double? seconds = span[split..].ToString().ToLowerInvariant() switch
        {
            "" or "s" or "sec" => number,
            "ms" => number / 1000,
            "us" or "µs" => number / 1_000_000,
            "m" or "min" => number * 60,
            "h" => number * 3600,
            _ => null,
        };
        if (seconds is null || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(seconds.Value);
        return true;
    }

    /// <summary>Milliseconds for display, invariant culture, up to 3 decimals.</summary>
    public static string Ms(double ms) => ms.ToString(ms >= 100 ? "0.0" : "0.000", CultureInfo.InvariantCulture);

    /// <summary>A number for display, invariant culture.</summary>
    public static string Num(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);
}
