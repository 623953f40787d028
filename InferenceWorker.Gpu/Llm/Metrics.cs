namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>Per-request timings reported in the body's <c>metrics</c> and in <c>Server-Timing</c>.</summary>
internal readonly record struct Metrics(double QueueMs, double TtftMs, double TotalMs, int Tokens)
{
    public double TokensPerSecond => TotalMs > 0 ? Tokens * 1000.0 / TotalMs : 0;
}
