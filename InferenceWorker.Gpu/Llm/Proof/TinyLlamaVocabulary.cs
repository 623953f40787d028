namespace BenchPlatform.InferenceWorker.Llm.Proof;

/// <summary>
/// The proof Llama's vocabulary in either style, with what both files need: tokens, GGUF token types and scores,
/// merges, and the special tokens. Both styles share the merge list (spelled with 'Ġ' or '▁' for a space).
/// </summary>
internal sealed class TinyLlamaVocabulary
{
    // Merges in GPT-2 spelling ('Ġ' is a space), each joining two tokens that exist before it.
    private static readonly string[] BaseMerges =
    [
        "Ġ t", "h e", "i n", "r e", "o n", "Ġt he", "e r", "Ġ a", "a n", "Ġ s", "o r", "e n", "Ġ w", "a t", "e s", "Ġ o",
        "i s", "i t", "Ġ c", "n d", "Ġ b", "Ġ f", "Ġ m", "Ġ p", "o u", "in g", "Ġ h", "l l", "a r", "Ġ d", "e d", "Ġ l",
        "Ġt o", "Ġa nd", "Ġo f", "Ġ i", "l e", "o w", "Ġ n", "s t", "a l", "Ġ y", "Ġy ou", "Ġ he", "Ġs he", "a s", "Ġw as",
        "Ġi s", "Ġi t", "Ġi n", "Ġc at", "o g", "Ġd og", "Ġs at", "Ġ u", "Ġu p", "Ġup on", "Ġo n", "c e", "Ġon ce", "i m",
        "im e", "Ġt ime", "Ġa t", "Ġm at", "e l", "el l", "ell o", "Ġh ello", "Ġw or", "l d", "Ġwor ld",
    ];

    private const int Normal = 1;
    private const int Unknown = 2;
    private const int Control = 3;
    private const int Byte = 6;

    public TinyLlamaVocabulary(TinyLlamaTokenizer kind)
    {
        Kind = kind;
        var tokens = new List<string>();
        var types = new List<int>();
        var scores = new List<float>();
        void Add(string token, int type, float score)
        {
            if (Ids.ContainsKey(token))
            {
                throw new InvalidOperationException($"Token '{token}' is in the vocabulary twice.");
            }

            Ids[token] = tokens.Count;
            tokens.Add(token);
            types.Add(type);
            scores.Add(score);
        }

        var space = kind == TinyLlamaTokenizer.ByteLevelBpe ? "Ġ" : "\u2581";
        var merges = BaseMerges.Select(m => m.Replace("Ġ", space, StringComparison.Ordinal)).ToArray();
        if (kind == TinyLlamaTokenizer.ByteLevelBpe)
        {
            Bos = "<|begin_of_text|>";
            Eos = "<|end_of_text|>";
            var bytes = TinyLmBuilder.ByteToUnicode();
            for (var b = 0; b < 256; b++)
            {
                Add(bytes[b].ToString(), Normal, 0);
            }

            AddMerges();
            Specials = [Bos, Eos, ImStart, ImEnd];
            foreach (var special in Specials)
            {
                Add(special, Control, 0);
            }

            GgufMerges = merges;
            HfMerges = merges;
        }
        else
        {
            Bos = "<s>";
            Eos = "</s>";
            Unk = "<unk>";
            Add(Unk, Unknown, 0);
            Add(Bos, Control, 0);
            Add(Eos, Control, 0);
            for (var b = 0; b < 256; b++)
            {
                Add($"<0x{b:X2}>", Byte, 0);
            }

            Add(ImStart, Control, 0);
            Add(ImEnd, Control, 0);
            Add(space, Normal, -1000);
            for (var c = '!'; c <= '~'; c++)
            {
                Add(c.ToString(), Normal, -1000 - c);
            }

            AddMerges();
            Specials = [Unk, Bos, Eos, ImStart, ImEnd];
            GgufMerges = [];

            // As transformers converts a SentencePiece model: every pair whose join is a token, by the join's score.
            var pairs = new List<(int Joined, int Left, int Right, string Merge)>();
            foreach (var (joined, id) in Ids)
            {
                if (types[id] != Normal || joined.Length < 2)
                {
                    continue;
                }

                for (var cut = 1; cut < joined.Length; cut++)
                {
                    if (Ids.TryGetValue(joined[..cut], out var left) && Ids.TryGetValue(joined[cut..], out var right) && types[left] == Normal && types[right] == Normal)
                    {
                        pairs.Add((id, left, right, $"{joined[..cut]} {joined[cut..]}"));
                    }
                }
            }

            HfMerges = [.. pairs.OrderByDescending(p => scores[p.Joined]).ThenBy(p => p.Left).ThenBy(p => p.Right).Select(p => p.Merge)];
        }

        Tokens = [.. tokens];
        Types = [.. types];
        Scores = [.. scores];

        void AddMerges()
        {
            for (var i = 0; i < merges.Length; i++)
            {
                var parts = merges[i].Split(' ');
                if (!Ids.ContainsKey(parts[0]) || !Ids.ContainsKey(parts[1]))
                {
                    throw new InvalidOperationException($"Merge '{merges[i]}' does not join two known tokens.");
                }

                Add(parts[0] + parts[1], Normal, -i);
            }
        }
    }

    public TinyLlamaTokenizer Kind { get; }

    public Dictionary<string, int> Ids { get; } = new(StringComparer.Ordinal);

    public string[] Tokens { get; }

    public int[] Types { get; }

    public float[] Scores { get; }

    /// <summary><c>tokenizer.ggml.merges</c> (byte-level only; SentencePiece merges by score).</summary>
    public string[] GgufMerges { get; }

    /// <summary>tokenizer.json <c>model.merges</c>.</summary>
    public string[] HfMerges { get; }

    /// <summary>tokenizer.json <c>added_tokens</c>; their output weights are zero so they are never sampled.</summary>
    public string[] Specials { get; }

    public string Bos { get; }

    public string Eos { get; }

    public string? Unk { get; }

    public string ImStart => "<|im_start|>";

    public string ImEnd => "<|im_end|>";

    public int Count => Tokens.Length;
}
