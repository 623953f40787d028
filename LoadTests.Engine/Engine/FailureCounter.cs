using System.Collections.Concurrent;

namespace BenchPlatform.LoadTests.Engine;

/// <summary>Counts failed iterations by message (the first 50 distinct messages; the rest as "other").</summary>
internal sealed class FailureCounter
{
    private const int MaxMessages = 50;
    private const string Other = "(other messages)";
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Add(string message)
    {
        if (_counts.Count >= MaxMessages && !_counts.ContainsKey(message))
        {
            message = Other;
        }

        _counts.AddOrUpdate(message, 1, static (_, count) => count + 1);
    }

    /// <summary>Messages with their counts, most frequent first.</summary>
    public List<KeyValuePair<string, long>> Snapshot()
    {
        var list = _counts.ToList();
        list.Sort(static (a, b) => b.Value.CompareTo(a.Value));
        return list;
    }
}
