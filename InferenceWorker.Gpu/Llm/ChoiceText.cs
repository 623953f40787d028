using System.Text;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// The text of one choice as tokens arrive: decodes the generated ids incrementally (each token costs two decodes of
/// a few ids, not a decode of the whole output), holds back a trailing incomplete UTF-8 character and any tail that
/// could still become a stop string, and cuts the text at the first stop string. When nobody reads the text before the
/// end (<paramref name="streamed"/> false) and no stop string needs watching, it decodes once, at <see cref="Flush"/>.
/// Text that is safe to send waits until it is taken (<see cref="TakeReady"/>), so a stream that coalesces several tokens
/// into one chunk makes one string per chunk, not one per token.
/// </summary>
internal sealed class ChoiceText(LlmTokenizer tokenizer, string[] stop, bool streamed = true)
{
    private readonly bool _deferred = !streamed && stop.Length == 0;
    private readonly int _holdBack = MaxLength(stop) - 1;
    private readonly StringBuilder _text = new();
    private int[] _ids = new int[16];
    private int _count;

    // _ids[_prefix.._read] were decoded into _text and are decoded again as context for the next ids (a tokenizer's
    // decoder may treat a sequence's first token differently); _ids[_read.._count] are not in _text yet.
    private int _prefix;
    private int _read;

    // _text[.._emitted] was taken; _text[_emitted.._ready] is safe to send and not taken yet.
    private int _emitted;
    private int _ready;

    /// <summary>A stop string was seen: the text ends before it.</summary>
    public bool Stopped { get; private set; }

    public int TokenCount { get; private set; }

    public double LogProbSum { get; private set; }

    public string Text => _text.ToString();

    /// <summary>A generated token's text is safe to send and not taken yet.</summary>
    public bool HasReady => _ready > _emitted;

    /// <summary>Adds a generated token; returns the text that is now safe to send (maybe empty).</summary>
    public string Append(int token, float logProb, bool isEos)
    {
        Add(token, logProb, isEos);
        return TakeReady();
    }

    /// <summary>Adds a generated token; the text it makes safe to send waits for <see cref="TakeReady"/>.</summary>
    public void Add(int token, float logProb, bool isEos)
    {
        TokenCount++;
        LogProbSum += logProb;
        if (Stopped || isEos)
        {
            return;
        }

        if (_count == _ids.Length)
        {
            Array.Resize(ref _ids, _count * 2);
        }

        _ids[_count++] = token;
        if (_deferred || !DecodeNew(final: false))
        {
            return; // an incomplete UTF-8 character: wait for the token that completes it
        }

        _ready = FindStop() ? _text.Length : Math.Max(_ready, _text.Length - _holdBack);
    }

    /// <summary>The text that became safe to send since the last take (maybe empty).</summary>
    public string TakeReady() => Take(_ready);

    /// <summary>The rest of the text once the sequence has ended (including what was ready and not taken).</summary>
    public string Flush()
    {
        if (!Stopped && _read < _count && DecodeNew(final: true))
        {
            FindStop();
        }

        _ready = _text.Length;
        return Take(_ready);
    }

    // Appends the text of the ids not yet decoded; false (nothing appended) while it ends in an incomplete character.
    private bool DecodeNew(bool final)
    {
        var context = _read > _prefix ? tokenizer.Decode(new ArraySegment<int>(_ids, _prefix, _read - _prefix)) : "";
        var full = tokenizer.Decode(new ArraySegment<int>(_ids, _prefix, _count - _prefix));
        if (!final && (full.Length <= context.Length || full[^1] == '\uFFFD'))
        {
            return false;
        }

        _text.Append(full, Math.Min(context.Length, full.Length), Math.Max(0, full.Length - context.Length));
        _prefix = _read;
        _read = _count;
        return true;
    }

    // Cuts the text at the first stop string that starts in the part not sent yet.
    private bool FindStop()
    {
        if (stop.Length == 0)
        {
            return false;
        }

        var from = Math.Max(0, _ready - _holdBack - 1);
        var tail = _text.ToString(from, _text.Length - from);
        var cut = -1;
        foreach (var s in stop)
        {
            var at = tail.IndexOf(s, StringComparison.Ordinal);
            if (at >= 0 && (cut < 0 || at < cut))
            {
                cut = at;
            }
        }

        if (cut < 0)
        {
            return false;
        }

        Stopped = true;
        _text.Length = from + cut;
        return true;
    }

    private string Take(int end)
    {
        if (end <= _emitted)
        {
            return "";
        }

        var piece = _text.ToString(_emitted, end - _emitted);
        _emitted = end;
        return piece;
    }

    private static int MaxLength(string[] stop)
    {
        var max = 1;
        foreach (var s in stop)
        {
            max = Math.Max(max, s.Length);
        }

        return max;
    }
}
