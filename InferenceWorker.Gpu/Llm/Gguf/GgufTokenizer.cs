using System.Text;
using LLama;
using LLama.Native;

namespace BenchPlatform.InferenceWorker.Llm.Gguf;

/// <summary>
/// The tokenizer a GGUF file carries (<c>tokenizer.ggml.*</c>), run by llama.cpp: encoding with special tokens
/// matched whole, decoding through each token's bytes (so an incomplete UTF-8 character decodes to U+FFFD, as
/// <see cref="ChoiceText"/> expects).
/// </summary>
internal sealed class GgufTokenizer : LlmTokenizer
{
    private readonly LLamaWeights _weights;
    private readonly byte[][] _pieces;
    private readonly Dictionary<string, int> _specials = new(StringComparer.Ordinal);

    public GgufTokenizer(LLamaWeights weights)
    {
        _weights = weights;
        var vocab = weights.Vocab;
        _pieces = new byte[vocab.Count][];
        Span<byte> buffer = stackalloc byte[256];
        var eog = new List<int>();
        for (var id = 0; id < vocab.Count; id++)
        {
            var token = (LLamaToken)id;
            _pieces[id] = Piece(vocab, token, buffer, special: false);
            if (token.IsControl(vocab))
            {
                var text = Encoding.UTF8.GetString(Piece(vocab, token, buffer, special: true));
                if (text.Length > 0)
                {
                    _specials.TryAdd(text, id);
                }
            }

            if (token.IsEndOfGeneration(vocab))
            {
                eog.Add(id);
            }
        }

        EndOfGeneration = [.. eog];
        BosTokenId = vocab.BOS is { } bos ? (int)bos : null;
        AddBos = vocab.ShouldAddBOS;
    }

    public override IReadOnlyDictionary<string, int> SpecialTokens => _specials;

    /// <summary>Every token llama.cpp treats as an end of generation (eos, eot, im_end …).</summary>
    public int[] EndOfGeneration { get; }

    public override int[] Encode(string text)
    {
        var tokens = _weights.Tokenize(text, add_bos: false, special: true, Encoding.UTF8);
        var ids = new int[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            ids[i] = (int)tokens[i];
        }

        return ids;
    }

    public override string Decode(IEnumerable<int> ids)
    {
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if ((uint)id < (uint)_pieces.Length)
            {
                bytes.AddRange(_pieces[id]);
            }
        }

        return Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
    }

    private static byte[] Piece(SafeLlamaModelHandle.Vocabulary vocab, LLamaToken token, Span<byte> buffer, bool special)
    {
        var written = NativeApi.llama_token_to_piece(vocab, token, buffer, 0, special);
        if (written < 0)
        {
            var large = new byte[-written];
            written = NativeApi.llama_token_to_piece(vocab, token, large, 0, special);
            return large[..Math.Max(0, written)];
        }

        return buffer[..written].ToArray();
    }
}
