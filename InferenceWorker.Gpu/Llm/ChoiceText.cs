namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// The text of one choice as tokens arrive: decodes the generated ids, holds back a trailing incomplete UTF-8
/// character and any tail that could still become a stop string, and cuts the text at the first stop string.
/// </summary>
internal sealed class ChoiceText(LlmTokenizer tokenizer, string[] stop)
{
    private readonly List<int> _ids = [];
    private readonly int _holdBack = MaxLength(stop) - 1;
    private string _text = "";
    private int _emitted;

    /// <summary>A stop string was seen: the text ends before it.</summary>
    public bool Stopped { get; private set; }

    public int TokenCount { get; private set; }

    public double LogProbSum { get; private set; }

    public string Text => _text;

    /// <summary>Adds a generated token; returns the text that is now safe to send (maybe empty).</summary>
    public string Append(int token, float logProb, bool isEos)
    {
        TokenCount++;
        LogProbSum += logProb;
        if (Stopped || isEos)
        {
            return "";
        }

        _ids.Add(token);
        var full = tokenizer.Decode(_ids);
        foreach (var s in stop)
        {
            var at = full.IndexOf(s, Math.Max(0, _emitted - s.Length), StringComparison.Ordinal);
            if (at >= 0 && (!Stopped || at < _text.Length))
            {
                Stopped = true;
                _text = full[..at];
            }
        }

        if (Stopped)
        {
            return Take(_text.Length);
        }

        _text = full;
        var safe = full.Length;
        while (safe > _emitted && full[safe - 1] == '\uFFFD')
        {
            safe--;
        }

        return Take(Math.Max(_emitted, safe - _holdBack));
    }

    /// <summary>The rest of the text once the sequence has ended.</summary>
    public string Flush() => Take(_text.Length);

    private string Take(int end)
    {
        if (end <= _emitted)
        {
            return "";
        }

        var piece = _text[_emitted..end];
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
