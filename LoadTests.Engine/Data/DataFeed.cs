using System.Text.Json;

namespace BenchPlatform.LoadTests;

/// <summary>
/// Data feeds: <see cref="Circular{T}"/> (in order, wrapping round), <see cref="Random{T}"/> (uniformly at random) and
/// <see cref="FromFile"/> (one item per line of a text file, or the elements of a JSON array).
/// </summary>
public static class DataFeed
{
    /// <summary>The items in order, starting again after the last; lock-free.</summary>
    public static IDataFeed<T> Circular<T>(IEnumerable<T> items, string name = "circular") => new CircularFeed<T>(name, Materialize(items, name));

    /// <summary>An item picked uniformly at random for every iteration.</summary>
    public static IDataFeed<T> Random<T>(IEnumerable<T> items, string name = "random") => new RandomFeed<T>(name, Materialize(items, name));

    /// <summary>
    /// The non-empty lines of a text file (or, for a <c>.json</c> file, the elements of its top-level array as raw JSON
    /// text), circular or random. A missing or empty file throws, naming the path and what to put in it.
    /// </summary>
    public static IDataFeed<string> FromFile(string path, bool random = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Data feed file '{full}' does not exist; create it with one item per line (or a JSON array in a .json file), or fix the path (relative paths start at {Environment.CurrentDirectory}).", full);
        }

        List<string> items = [];
        if (full.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            using var document = ParseJson(full);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"Data feed file '{full}' must hold a JSON array of items, e.g. [{{\"id\":1}},{{\"id\":2}}]; it holds a {document.RootElement.ValueKind}.");
            }

            foreach (var element in document.RootElement.EnumerateArray())
            {
                items.Add(element.GetRawText());
            }
        }
        else
        {
            foreach (var line in File.ReadLines(full))
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    items.Add(line);
                }
            }
        }

        if (items.Count == 0)
        {
            throw new InvalidDataException($"Data feed file '{full}' has no items; put one item per line (or a non-empty JSON array in a .json file).");
        }

        var name = Path.GetFileName(full);
        return random ? new RandomFeed<string>(name, [.. items]) : new CircularFeed<string>(name, [.. items]);
    }

    private static JsonDocument ParseJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Data feed file '{path}' is not valid JSON ({ex.Message}); give a JSON array, or use a file not ending in .json for one item per line.", ex);
        }
    }

    private static T[] Materialize<T>(IEnumerable<T> items, string name)
    {
        ArgumentNullException.ThrowIfNull(items);
        T[] array = [.. items];
        return array.Length > 0 ? array : throw new ArgumentException($"Data feed '{name}' has no items; give it at least one.", nameof(items));
    }

    private sealed class CircularFeed<T>(string name, T[] items) : IDataFeed<T>
    {
        private long _next = -1;

        public string Name => name;

        public int Count => items.Length;

        public T GetNextItem(IScenarioContext context) => items[(int)((ulong)Interlocked.Increment(ref _next) % (ulong)items.Length)];
    }

    private sealed class RandomFeed<T>(string name, T[] items) : IDataFeed<T>
    {
        public string Name => name;

        public int Count => items.Length;

        public T GetNextItem(IScenarioContext context) => items[System.Random.Shared.Next(items.Length)];
    }
}
