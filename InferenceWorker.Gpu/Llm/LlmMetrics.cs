using System.Diagnostics.Metrics;
using BenchPlatform.ServiceDefaults;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// Text generation on the platform meter, per model: tokens read and generated (their rate is the tokens/s Aspire's
/// dashboard charts), the time to the first token, and the completions answered.
/// </summary>
internal sealed class LlmMetrics
{
    private readonly Counter<long> _tokens;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Counter<long> _completions;

    public LlmMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(PlatformTelemetry.MeterName);
        _tokens = meter.CreateCounter<long>("llm.tokens", "{token}", "Tokens by model and kind: prompt (read) or completion (generated)");
        _timeToFirstToken = meter.CreateHistogram<double>("llm.time_to_first_token", "ms", "From a completion's arrival to its first generated token");
        _completions = meter.CreateCounter<long>("llm.completions", "{request}", "Completions answered, by model");
    }

    /// <summary>Records an answered completion.</summary>
    public void Completion(string model, int promptTokens, int completionTokens, double timeToFirstTokenMs)
    {
        var tag = new KeyValuePair<string, object?>("model", model);
        _tokens.Add(promptTokens, tag, new KeyValuePair<string, object?>("kind", "prompt"));
        _tokens.Add(completionTokens, tag, new KeyValuePair<string, object?>("kind", "completion"));
        _timeToFirstToken.Record(timeToFirstTokenMs, tag);
        _completions.Add(1, tag);
    }
}
