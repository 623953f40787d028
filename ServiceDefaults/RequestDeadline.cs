using System.Globalization;

namespace BenchPlatform.ServiceDefaults;

/// <summary>
/// The time a caller gives a request, carried hop to hop in the <c>Request-Timeout</c> header as decimal seconds
/// (<c>Request-Timeout: 2.5</c>). The gateway reads it (or its configured default) and forwards what is left of it, so
/// every hop measures the deadline on its own clock; a worker never starts queued work whose deadline has passed.
/// </summary>
public static class RequestDeadline
{
    /// <summary>The header.</summary>
    public const string HeaderName = "Request-Timeout";

    /// <summary>The longest timeout accepted: one day.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(1);

    /// <summary>Parses a header value: decimal seconds, greater than 0 and at most a day.</summary>
    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || seconds <= 0 || seconds > Longest.TotalSeconds)
        {
            return false;
        }

        timeout = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>Formats what is left of a deadline for the next hop (milliseconds precision, never below 1 ms).</summary>
    public static string Format(TimeSpan remaining) =>
        Math.Max(0.001, Math.Round(remaining.TotalSeconds, 3)).ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>What a caller is told when the header does not parse.</summary>
    public static string Describe(string? value) =>
        $"{HeaderName} is '{value}'; it must be a number of seconds greater than 0 and at most {Longest.TotalSeconds:0} (for example {HeaderName}: 2.5).";
}
