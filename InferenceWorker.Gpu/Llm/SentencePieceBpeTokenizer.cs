using System.Text;
using System.Text.Json;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// The Llama / TinyLlama / Mistral style <c>tokenizer.json</c>: a BPE model over characters with SentencePiece's
/// <c>▁</c> for spaces (from the normalizer <c>Prepend</c> + <c>Replace</c>, or a <c>Metaspace</c> pre-tokenizer) and
/// <c>byte_fallback</c> (a character outside the vocabulary becomes its UTF-8 bytes as <c>&lt;0xXX&gt;</c> tokens).
/// Special tokens (<c>added_tokens</c>) are matched whole before normalization, as transformers and llama.cpp do.
/// Decoding skips special tokens, maps <c>▁</c> back to spaces and byte tokens back to bytes; the space the prefix added is kept (as
/// llama.cpp's server returns it), so completions read " there was…" in both engines.
/// </summary>
internal sealed class SentencePieceBpeTokenizer : LlmTokenizer
{
    private const char Space = '\u2581';
    private readonly Dictionary<string, int> _vocab;
    private readonly string[] _pieces;
    private readonly Dictionary<(string, string), int> _ranks;
    private readonly int[] _byteTokens = new int[256];
    private readonly int? _unknown;
    private readonly Dictionary<string, int> _specials;
    private readonly string[] _specialsByLength;
    private readonly Func<string, bool, string> _normalize;

    private SentencePieceBpeTokenizer(Dictionary<string, int> vocab, Dictionary<(string, string), int> ranks, int? unknown, Dictionary<string, int> specials, Func<string, bool, string> normalize)
    {
        _vocab = vocab;
        _ranks = ranks;
        _unknown = unknown;
        _specials = specials;
        _specialsByLength = [.. specials.Keys.OrderByDescending(k => k.Length)];
        _normalize = normalize;
        var size = 0;
        foreach (var id in vocab.Values)
        {
            size = Math.Max(size, id + 1);
        }

        foreach (var id in specials.Values)
        {
            size = Math.Max(size, id + 1);
        }

        _pieces = new string[size];
        foreach (var (piece, id) in vocab)
        {
            _pieces[id] = piece;
        }

        foreach (var (piece, id) in specials)
        {
            _pieces[id] = piece;
        }

        for (var b = 0; b < 256; b++)
        {
            _byteTokens[b] = vocab.TryGetValue($"<0x{b:X2}>", out var id) ? id : -1;
        }
    }

    public override IReadOnlyDictionary<string, int> SpecialTokens => _specials;

    /// <summary>Whether <paramref name="root"/> (a tokenizer.json) is SentencePiece-style BPE: byte fallback or <c>▁</c> spaces.</summary>
    public static bool Handles(JsonElement root) =>
        root.GetProperty("model") is var model
        && ((model.TryGetProperty("byte_fallback", out var fallback) && fallback.ValueKind == JsonValueKind.True)
            || root.GetRawText().Contains("\"Metaspace\"", StringComparison.Ordinal)
            || (root.TryGetProperty("normalizer", out var normalizer) && normalizer.GetRawText().Contains("\"Prepend\"", StringComparison.Ordinal)));

    public static SentencePieceBpeTokenizer FromJson(JsonElement root)
    {
        var model = root.GetProperty("model");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in model.GetProperty("vocab").EnumerateObject())
        {
            vocab[entry.Name] = entry.Value.GetInt32();
        }

        var ranks = new Dictionary<(string, string), int>();
        if (model.TryGetProperty("merges", out var merges))
        {
            foreach (var merge in merges.EnumerateArray())
            {
                var (left, right) = merge.ValueKind == JsonValueKind.Array
                    ? (merge[0].GetString()!, merge[1].GetString()!)
                    : Split(merge.GetString()!);
                ranks.TryAdd((left, right), ranks.Count);
            }
        }

        int? unknown = model.TryGetProperty("unk_token", out var unk) && unk.ValueKind == JsonValueKind.String && vocab.TryGetValue(unk.GetString()!, out var unkId) ? unkId : null;
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out var added))
        {
            foreach (var token in added.EnumerateArray())
            {
                specials[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
            }
        }

        return new SentencePieceBpeTokenizer(vocab, ranks, unknown, specials, Normalizer(root));
    }

    public override int[] Encode(string text)
    {
        var ids = new List<int>();
        var start = 0;
        var first = true;
        for (var i = 0; i < text.Length;)
        {
            var special = MatchSpecial(text, i);
            if (special is null)
            {
                i++;
                continue;
            }

            if (i > start)
            {
                EncodeFragment(text[start..i], first, ids);
                first = false;
            }

            ids.Add(_specials[special]);
            i += special.Length;
            start = i;
        }

        if (start < text.Length)
        {
            EncodeFragment(text[start..], first, ids);
        }

        return [.. ids];
    }

    public override string Decode(IEnumerable<int> ids)
    {
        var bytes = new List<byte>();
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)_pieces.Length || _pieces[id] is not { } piece || (_specials.TryGetValue(piece, out var special) && special == id))
            {
                continue;
            }

            if (piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
                && byte.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out var value) && _byteTokens[value] == id)
            {
                bytes.Add(value);
                continue;
            }

            foreach (var rune in piece.EnumerateRunes())
            {
                var written = (rune.Value == Space ? new Rune(' ') : rune).EncodeToUtf8(utf8);
                for (var b = 0; b < written; b++)
                {
                    bytes.Add(utf8[b]);
                }
            }
        }

        return Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
    }

    private string? MatchSpecial(string text, int at)
    {
        foreach (var special in _specialsByLength)
        {
            if (special.Length > 0 && string.CompareOrdinal(text, at, special, 0, special.Length) == 0)
            {
                return special;
            }
        }

        return null;
    }

    // BPE over the fragment's characters by merge rank (lowest first, leftmost on ties), then byte fallback.
    private void EncodeFragment(string fragment, bool first, List<int> ids)
    {
        var normalized = _normalize(fragment, first);
        var symbols = new List<string>();
        foreach (var rune in normalized.EnumerateRunes())
        {
            symbols.Add(rune.ToString());
        }

        // Symbols as a linked list; candidate merges in a heap by (rank, position), stale entries skipped.
        var count = symbols.Count;
        var next = new int[count];
        var previous = new int[count];
        for (var i = 0; i < count; i++)
        {
            next[i] = i + 1 < count ? i + 1 : -1;
            previous[i] = i - 1;
        }

        var heap = new PriorityQueue<(int Left, string A, string B), (int Rank, int Left)>();
        void Consider(int left)
        {
            var right = left >= 0 ? next[left] : -1;
            if (right >= 0 && _ranks.TryGetValue((symbols[left], symbols[right]), out var rank))
            {
                heap.Enqueue((left, symbols[left], symbols[right]), (rank, left));
            }
        }

        for (var i = 0; i < count - 1; i++)
        {
            Consider(i);
        }

        while (heap.TryDequeue(out var candidate, out _))
        {
            var (left, a, b) = candidate;
            var right = next[left];
            if (symbols[left] is null || right < 0 || !ReferenceEquals(symbols[left], a) || !ReferenceEquals(symbols[right], b))
            {
                continue; // a neighbour changed since this pair was queued
            }

            symbols[left] = a + b;
            symbols[right] = null!;
            next[left] = next[right];
            if (next[right] >= 0)
            {
                previous[next[right]] = left;
            }

            Consider(previous[left]);
            Consider(left);
        }

        symbols.RemoveAll(symbol => symbol is null);
        foreach (var symbol in symbols)
        {
            if (_vocab.TryGetValue(symbol, out var id))
            {
                ids.Add(id);
                continue;
            }

            var fellBack = true;
            foreach (var b in Encoding.UTF8.GetBytes(symbol))
            {
                fellBack &= _byteTokens[b] >= 0;
            }

            if (fellBack)
            {
                foreach (var b in Encoding.UTF8.GetBytes(symbol))
                {
                    ids.Add(_byteTokens[b]);
                }
            }
            else if (_unknown is { } unknown)
            {
                ids.Add(unknown);
            }
            else
            {
                throw new InvalidDataException($"'{symbol}' is not in the vocabulary and the tokenizer has neither byte fallback nor an unk_token.");
            }
        }
    }

    private static (string, string) Split(string merge)
    {
        var space = merge.IndexOf(' ', 1);
        return (merge[..space], merge[(space + 1)..]);
    }

    // The normalizer and the Metaspace pre-tokenizer as one function of (fragment, is it the text's first fragment).
    private static Func<string, bool, string> Normalizer(JsonElement root)
    {
        var steps = new List<Func<string, bool, string>>();
        if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind == JsonValueKind.Object)
        {
            AddNormalizer(normalizer, steps);
        }

        if (root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind == JsonValueKind.Object)
        {
            var items = pre.GetProperty("type").GetString() == "Sequence" ? [.. pre.GetProperty("pretokenizers").EnumerateArray()] : new[] { pre };
            foreach (var item in items)
            {
                if (item.GetProperty("type").GetString() != "Metaspace")
                {
                    throw new InvalidDataException($"tokenizer.json: the pre-tokenizer '{item.GetProperty("type").GetString()}' is not supported with a SentencePiece-style (byte_fallback) BPE; Metaspace is.");
                }

                var replacement = item.TryGetProperty("replacement", out var r) ? r.GetString()! : "\u2581";
                var scheme = item.TryGetProperty("prepend_scheme", out var p) ? p.GetString() : (item.TryGetProperty("add_prefix_space", out var a) && a.ValueKind == JsonValueKind.False ? "never" : "always");
                steps.Add((text, first) =>
                {
                    var replaced = text.Replace(" ", replacement, StringComparison.Ordinal);
                    var prepend = scheme == "always" || (scheme == "first" && first);
                    return prepend && !replaced.StartsWith(replacement, StringComparison.Ordinal) ? replacement + replaced : replaced;
                });
            }
        }

        return (text, first) =>
        {
            foreach (var step in steps)
            {
                text = step(text, first);
            }

            return text;
        };
    }

    private static void AddNormalizer(JsonElement normalizer, List<Func<string, bool, string>> steps)
    {
        var type = normalizer.GetProperty("type").GetString();
        switch (type)
        {
            case "Sequence":
                foreach (var item in normalizer.GetProperty("normalizers").EnumerateArray())
                {
                    AddNormalizer(item, steps);
                }

                break;
            case "Prepend":
                var prefix = normalizer.GetProperty("prepend").GetString()!;
                steps.Add((text, _) => prefix + text);
                break;
            case "Replace":
                var pattern = normalizer.GetProperty("pattern");
                if (!pattern.TryGetProperty("String", out var from))
                {
                    throw new InvalidDataException("tokenizer.json: a Replace normalizer with a Regex pattern is not supported; a String pattern is.");
                }

                var search = from.GetString()!;
                var content = normalizer.GetProperty("content").GetString()!;
                steps.Add((text, _) => text.Replace(search, content, StringComparison.Ordinal));
                break;
            case "NFC" or "NFD" or "NFKC" or "NFKD":
                var form = Enum.Parse<NormalizationForm>("Form" + type[2..] switch { "C" => "C", "D" => "D", "KC" => "KC", _ => "KD" });
                steps.Add((text, _) => text.Normalize(form));
                break;
            case "Lowercase":
                steps.Add((text, _) => text.ToLowerInvariant());
                break;
            default:
                throw new InvalidDataException($"tokenizer.json: the normalizer '{type}' is not supported (Sequence, Prepend, Replace, NFC/NFD/NFKC/NFKD, Lowercase are).");
        }
    }
}
