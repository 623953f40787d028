using System.Collections.Concurrent;

namespace BenchPlatform.AppHost.Dashboard.Traces;

/// <summary>
/// One copy of the short strings that spans repeat (tag keys, service and span names, methods, routes, hosts), so
/// ten thousand kept traces do not hold ten thousand copies of each. Bounded: strings longer than
/// <see cref="MaxLength"/> are not pooled, and once <see cref="MaxEntries"/> are pooled new ones are returned as they are.
/// </summary>
public sealed class StringPool
{
    /// <summary>The longest string pooled.</summary>
    public const int MaxLength = 128;

    /// <summary>The most strings pooled.</summary>
    public const int MaxEntries = 16_384;

    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);

    /// <summary>How many strings are pooled.</summary>
    public int Count => _strings.Count;

    /// <summary>The pooled copy of <paramref name="value"/>, or <paramref name="value"/> itself when it is not pooled.</summary>
    public string Intern(string value)
    {
        if (value.Length > MaxLength)
        {
            return value;
        }

        if (_strings.TryGetValue(value, out var pooled))
        {
            return pooled;
        }

        return _strings.Count < MaxEntries ? _strings.GetOrAdd(value, value) : value;
    }
}
