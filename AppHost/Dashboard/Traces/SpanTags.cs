using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace BenchPlatform.AppHost.Dashboard.Traces;

/// <summary>
/// A span's tags as one array: a span has a few dozen tags at most (<see cref="ZipkinConverter.MaxTagsPerSpan"/>), so a
/// linear lookup is as fast as hashing and the store keeps a tenth of a dictionary's overhead per span.
/// </summary>
public sealed class SpanTags : IReadOnlyDictionary<string, string>
{
    private readonly KeyValuePair<string, string>[] _items;

    /// <summary>Copies <paramref name="tags"/> (keys must be distinct).</summary>
    public SpanTags(IEnumerable<KeyValuePair<string, string>> tags) => _items = [.. tags];

    /// <summary>No tags.</summary>
    public static SpanTags Empty { get; } = new([]);

    /// <inheritdoc />
    public int Count => _items.Length;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _items.Select(t => t.Key);

    /// <inheritdoc />
    public IEnumerable<string> Values => _items.Select(t => t.Value);

    /// <inheritdoc />
    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No tag '{key}'.");

    /// <inheritdoc />
    public bool ContainsKey(string key) => TryGetValue(key, out _);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        foreach (var (k, v) in _items)
        {
            if (string.Equals(k, key, StringComparison.Ordinal))
            {
                value = v;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
