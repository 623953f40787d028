using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// A Hugging Face model folder's tokenizer through Microsoft.ML.Tokenizers: a BPE <c>tokenizer.json</c>,
/// <c>vocab.json</c> + <c>merges.txt</c>, or a SentencePiece <c>tokenizer.model</c>.
/// </summary>
internal sealed class HfTokenizer : LlmTokenizer
{
    // GPT-2's pre-tokenization pattern, used when a byte-level tokenizer.json names no pattern of its own.
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly Tokenizer _tokenizer;
    private readonly HashSet<int> _specialIds;

    private HfTokenizer(Tokenizer tokenizer, IReadOnlyDictionary<string, int> specialTokens)
    {
        _tokenizer = tokenizer;
        SpecialTokens = specialTokens;
        _specialIds = [.. specialTokens.Values];
    }

    /// <summary>Special token text → id (chat markers, eos), matched whole in prompts.</summary>
    public override IReadOnlyDictionary<string, int> SpecialTokens { get; }

    public static LlmTokenizer FromFolder(string directory)
    {
        var tokenizerJson = Path.Combine(directory, "tokenizer.json");
        if (File.Exists(tokenizerJson))
        {
            return FromTokenizerJson(tokenizerJson);
        }

        var vocab = Path.Combine(directory, "vocab.json");
        var merges = Path.Combine(directory, "merges.txt");
        if (File.Exists(vocab) && File.Exists(merges))
        {
            var specials = AddedTokens(Path.Combine(directory, "tokenizer_config.json"));
            var options = new BpeOptions(vocab, merges)
            {
                ByteLevel = true,
                SpecialTokens = specials,
                PreTokenizer = new RegexPreTokenizer(new Regex(Gpt2Pattern, RegexOptions.Compiled), specials),
            };
            return new HfTokenizer(BpeTokenizer.Create(options), specials);
        }

        var sentencePiece = Path.Combine(directory, "tokenizer.model");
        if (File.Exists(sentencePiece))
        {
            using var stream = File.OpenRead(sentencePiece);
            return new HfTokenizer(LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false), new Dictionary<string, int>());
        }

        throw new InvalidDataException(
            "The model folder has no tokenizer: add tokenizer.json (or vocab.json + merges.txt, or a SentencePiece tokenizer.model) beside the .onnx file.");
    }

    public override int[] Encode(string text) => [.. _tokenizer.EncodeToIds(text, considerPreTokenization: true, considerNormalization: true)];

    // Special tokens (chat markers, eos) are not text: skipped, as llama.cpp and OpenAI-compatible servers do.
    public override string Decode(IEnumerable<int> ids) => _specialIds.Count == 0 ? _tokenizer.Decode(ids) : _tokenizer.Decode(ids.Where(id => !_specialIds.Contains(id)));

    private static LlmTokenizer FromTokenizerJson(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        var model = root.GetProperty("model");
        var type = model.TryGetProperty("type", out var t) ? t.GetString() : "BPE";
        if (type != "BPE")
        {
            throw new InvalidDataException($"tokenizer.json: tokenizer model type '{type}' is not supported; BPE is (byte-level, or SentencePiece-style with byte_fallback), or ship a SentencePiece tokenizer.model.");
        }

        if (SentencePieceBpeTokenizer.Handles(root))
        {
            return SentencePieceBpeTokenizer.FromJson(root);
        }

        var vocabulary = new List<KeyValuePair<string, int>>();
        foreach (var entry in model.GetProperty("vocab").EnumerateObject())
        {
            vocabulary.Add(new(entry.Name, entry.Value.GetInt32()));
        }

        var merges = new List<string>();
        foreach (var merge in model.GetProperty("merges").EnumerateArray())
        {
            merges.Add(merge.ValueKind == JsonValueKind.Array
                ? $"{merge[0].GetString()} {merge[1].GetString()}"
                : merge.GetString()!);
        }

        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out var added))
        {
            foreach (var token in added.EnumerateArray())
            {
                specials[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
            }
        }

        var json = root.GetRawText();
        var byteLevel = json.Contains("\"ByteLevel\"", StringComparison.Ordinal);
        var pattern = FindSplitPattern(root) ?? Gpt2Pattern;
        var options = new BpeOptions(vocabulary)
        {
            Merges = merges,
            ByteLevel = byteLevel,
            SpecialTokens = specials,
            PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled), specials),
        };
        return new HfTokenizer(BpeTokenizer.Create(options), specials);
    }

    private static string? FindSplitPattern(JsonElement root)
    {
        if (!root.TryGetProperty("pre_tokenizer", out var pre) || pre.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (pre.TryGetProperty("pattern", out var pattern) && pattern.TryGetProperty("Regex", out var regex))
        {
            return regex.GetString();
        }

        if (pre.TryGetProperty("pretokenizers", out var list))
        {
            foreach (var item in list.EnumerateArray())
            {
                if (item.TryGetProperty("pattern", out var p) && p.TryGetProperty("Regex", out var r))
                {
                    return r.GetString();
                }
            }
        }

        return null;
    }

    private static Dictionary<string, int> AddedTokens(string tokenizerConfig)
    {
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!File.Exists(tokenizerConfig))
        {
            return specials;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(tokenizerConfig));
        if (document.RootElement.TryGetProperty("added_tokens_decoder", out var added))
        {
            foreach (var entry in added.EnumerateObject())
            {
                specials[entry.Value.GetProperty("content").GetString()!] = int.Parse(entry.Name, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return specials;
    }
}
