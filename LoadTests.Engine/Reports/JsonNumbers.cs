using System.Text.Json;

namespace BenchPlatform.LoadTests.Reports;

/// <summary>
/// Numbers in our JSON (summary.json, the live sink's lines): JSON has no NaN or infinity, so a non-finite value is
/// written as <c>null</c> ("no value": a metric that could not be measured, a rate over no time). Readers treat null as
/// missing, never as 0.
/// </summary>
internal static class JsonNumbers
{
    /// <summary>Writes <paramref name="value"/> rounded to <paramref name="digits"/> decimals, or null when it is not finite.</summary>
    public static void WriteFinite(this Utf8JsonWriter json, string name, double value, int digits = 4)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, Math.Round(value, digits));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
