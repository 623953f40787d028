namespace BenchPlatform.LoadTests;

/// <summary>Items for iterations to use (bodies, ids, prompts), handed out in the feed's order; safe from any thread.</summary>
/// <typeparam name="T">The item type.</typeparam>
public interface IDataFeed<out T>
{
    /// <summary>The feed's name (for messages).</summary>
    string Name { get; }

    /// <summary>How many items the feed holds.</summary>
    int Count { get; }

    /// <summary>The next item for this iteration.</summary>
    T GetNextItem(IScenarioContext context);
}
