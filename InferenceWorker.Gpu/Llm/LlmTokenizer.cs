namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// A model's tokenizer as the API uses it: text → ids with special tokens matched whole (no BOS added here),
/// ids → text. <see cref="HfTokenizer"/> for Hugging Face folders, <see cref="Gguf.GgufTokenizer"/> for GGUF files.
/// </summary>
internal abstract class LlmTokenizer
{
    /// <summary>Special token text → id (chat markers, eos), matched whole in prompts.</summary>
    public abstract IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>The beginning-of-sequence token, when the model has one.</summary>
    public int? BosTokenId { get; set; }

    /// <summary>Whether a completion prompt starts with <see cref="BosTokenId"/> (the tokenizer's <c>add_bos_token</c>).</summary>
    public bool AddBos { get; set; }

    /// <summary>Loads a Hugging Face folder's tokenizer, with its BOS rule from <c>tokenizer_config.json</c> / <c>config.json</c>.</summary>
    public static LlmTokenizer Load(string directory, LlmModelConfig? config = null)
    {
        var tokenizer = HfTokenizer.FromFolder(directory);
        config ??= LlmModelConfig.Load(directory);
        tokenizer.AddBos = config.AddBos;
        tokenizer.BosTokenId = config.BosTokenId
            ?? (config.BosToken is { } text && tokenizer.SpecialTokens.TryGetValue(text, out var id) ? id : null);
        return tokenizer;
    }

    public abstract int[] Encode(string text);

    public abstract string Decode(IEnumerable<int> ids);

    /// <summary>
    /// The prompt's ids, with <see cref="BosTokenId"/> in front when the model adds one and the text does not already
    /// start with it (a chat template that writes <c>bos_token</c> itself).
    /// </summary>
    public int[] EncodePrompt(string text)
    {
        var ids = Encode(text);
        if (!AddBos || BosTokenId is not { } bos || (ids.Length > 0 && ids[0] == bos))
        {
            return ids;
        }

        var withBos = new int[ids.Length + 1];
        withBos[0] = bos;
        ids.CopyTo(withBos, 1);
        return withBos;
    }
}
