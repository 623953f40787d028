using System.Globalization;
using System.Text;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>A request's timings for <c>Server-Timing</c> (<c>queue</c>, <c>ttft</c>, then <c>gen</c>) and the body's <c>metrics</c>.</summary>
internal static class CompletionTimings
{
    public static string ServerTiming(TimeProvider time, Sequence[] sequences, long started, long firstToken, Metrics? metrics, int tokens)
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"queue;dur={QueueMs(time, sequences):0.###}, ttft;dur={time.GetElapsedTime(started, firstToken).TotalMilliseconds:0.###}");
        if (metrics is { } m)
        {
            builder.Append(CultureInfo.InvariantCulture, $", gen;dur={m.TotalMs:0.###};desc=\"tokens={tokens} tokens_per_s={m.TokensPerSecond:0.#}\"");
        }

        return builder.ToString();
    }

    /// <summary>The shortest wait of any sample between submission and admission to the batch (0 when none was admitted).</summary>
    public static double QueueMs(TimeProvider time, Sequence[] sequences)
    {
        var queue = double.MaxValue;
        foreach (var sequence in sequences)
        {
            if (sequence.AdmittedAt != 0)
            {
                queue = Math.Min(queue, time.GetElapsedTime(sequence.EnqueuedAt, sequence.AdmittedAt).TotalMilliseconds);
            }
        }

        return queue == double.MaxValue ? 0 : queue;
    }
}
