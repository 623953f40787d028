using System.Threading.Channels;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// One generation in flight: its tokens (prompt then output), sampling state, KV cache while admitted, and the
/// channel it reports tokens on. The generation loop owns everything but <see cref="Stop"/>.
/// </summary>
internal sealed class Sequence
{
    private volatile bool _stopRequested;

    public Sequence(int index, int[] prompt, int maxTokens, SamplingParameters sampling, ChannelWriter<GeneratedToken> output, CancellationToken aborted)
    {
        Index = index;
        Tokens = new int[prompt.Length + maxTokens];
        prompt.CopyTo(Tokens, 0);
        PromptLength = prompt.Length;
        Length = prompt.Length;
        MaxTokens = maxTokens;
        Sampling = sampling;
        Random = sampling.Seed is { } seed ? new Random(seed) : new Random();
        Output = output;
        Aborted = aborted;
    }

    public int Index { get; }

    public int[] Tokens { get; }

    public int PromptLength { get; }

    /// <summary>Tokens filled (prompt + generated).</summary>
    public int Length { get; set; }

    public int MaxTokens { get; }

    public int Generated => Length - PromptLength;

    /// <summary>KV positions this sequence reserves from the budget while admitted.</summary>
    public int Reserved => Tokens.Length;

    public SamplingParameters Sampling { get; }

    public Random Random { get; }

    public ChannelWriter<GeneratedToken> Output { get; }

    public CancellationToken Aborted { get; }

    public SequenceCache? Cache { get; set; }

    public long EnqueuedAt { get; set; }

    public long AdmittedAt { get; set; }

    /// <summary>When the loop produced the first token (a <see cref="TimeProvider"/> timestamp).</summary>
    public long FirstTokenAt { get; set; }

    /// <summary>When the loop produced the last token.</summary>
    public long FinishedAt { get; set; }

    public bool StopRequested => _stopRequested || Aborted.IsCancellationRequested;

    /// <summary>Asks the loop to retire this sequence at the next step (a stop string was seen).</summary>
    public void Stop() => _stopRequested = true;
}
