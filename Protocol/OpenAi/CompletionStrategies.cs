namespace BenchPlatform.Protocol.OpenAi;

/// <summary>The wire names of <see cref="CompletionStrategy"/> and what each one implies for the request.</summary>
public static class CompletionStrategies
{
    /// <summary>Every strategy's wire name, in the order of <see cref="CompletionStrategy"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["baseline", "reread", "diverse_sampling", "best_of_n"];

    /// <summary>The wire name of <paramref name="strategy"/> (<c>best_of_n</c> for <see cref="CompletionStrategy.BestOfN"/>).</summary>
    public static string WireName(this CompletionStrategy strategy) => Names[(int)strategy];

    /// <summary>The strategy named <paramref name="name"/> on the wire, or false for a name the contract does not have.</summary>
    public static bool TryParse(string? name, out CompletionStrategy strategy)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (Names[i] == name)
            {
                strategy = (CompletionStrategy)i;
                return true;
            }
        }

        strategy = CompletionStrategy.Baseline;
        return false;
    }

    /// <summary>
    /// Whether the strategy answers with one sample chosen among several finished ones (so it cannot stream, and
    /// <c>n</c> defaults to 4).
    /// </summary>
    public static bool Chooses(this CompletionStrategy strategy) => strategy is CompletionStrategy.DiverseSampling or CompletionStrategy.BestOfN;
}
