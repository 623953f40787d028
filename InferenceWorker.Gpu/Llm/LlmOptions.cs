namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// The LLM feature's settings (configuration section <c>Llm</c>): models by name (a local folder or an
/// OpenAI-compatible upstream), the built-in tiny LM, and the scheduler's bounds.
/// </summary>
public sealed class LlmOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Llm";

    /// <summary>Models by name: <c>Llm__Models__{name}__Path</c> or <c>Llm__Models__{name}__Upstream</c>.</summary>
    public Dictionary<string, LlmModelOptions> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Name under which the built-in tiny LM is written (once, into <c>{Storage:Root}/llm/{name}</c>) and served; empty = off.</summary>
    public string TinyLm { get; set; } = "";

    /// <summary>Most sequences decoded together in one batched step.</summary>
    public int MaxBatch { get; set; } = 64;

    /// <summary>KV cache budget per model, in token positions (prompt + max_tokens reserved per sequence).</summary>
    public int KvBudgetTokens { get; set; } = 64 * 1024;

    /// <summary>Most sequences waiting for admission per model; past it a request gets 429.</summary>
    public int MaxWaiting { get; set; } = 512;

    /// <summary>Longest a sequence waits for admission before its request gets 503.</summary>
    public int QueueTimeoutMs { get; set; } = 30_000;

    /// <summary>The <c>Retry-After</c> seconds sent with 429 and 503.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Most output tokens one request may ask for.</summary>
    public int MaxOutputTokens { get; set; } = 4096;

    /// <summary>
    /// Streamed answers: after a sequence's first text (written at once: the interval never holds it), the longest its
    /// further tokens wait to leave together in one chunk; a sequence's end leaves at once. 0 = one write per token.
    /// Default 25, by measurement (LlmBench runs G, H and I in bench/llm-throughput/README.md): at 0 every token costs a
    /// write on the worker, a read and a write in the gateway and a read in the client; at 32 and 64 concurrent sequences
    /// the streamed CPU per token through the gateway was 1.31–2.40× the non-streamed one (median ÷ median). At 25 it was
    /// 0.86–1.42× (to the worker alone 0.80–1.34×), at 10 0.94–1.49× (0.92–1.37×), and 25 was at or below 10 in 9 of
    /// those 12 cells: the smallest interval measured that brought streaming near the non-streamed cost. 40 updates a
    /// second still read as a smooth stream, and a model slower than a token per 25 ms per sequence is not held back at
    /// all (each token finds the interval passed and leaves at once).
    /// </summary>
    public int StreamIntervalMs { get; set; } = 25;

    /// <summary>ONNX Runtime intra-op threads for LLM sessions (0 = ONNX Runtime's default).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Every configuration error at once, each naming its key; empty when valid.</summary>
    public List<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (name, model) in Models)
        {
            var hasPath = !string.IsNullOrWhiteSpace(model.Path);
            var hasUpstream = !string.IsNullOrWhiteSpace(model.Upstream);
            if (hasPath == hasUpstream)
            {
                errors.Add($"Llm:Models:{name} must set exactly one of Path (a model folder) or Upstream (an OpenAI-compatible base URL).");
            }
            else if (hasPath && !Directory.Exists(model.Path) && !(File.Exists(model.Path) && model.Path!.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"Llm:Models:{name}:Path '{model.Path}' is neither a model folder nor a .gguf file.");
            }
            else if (hasUpstream && (!Uri.TryCreate(model.Upstream, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            {
                errors.Add($"Llm:Models:{name}:Upstream '{model.Upstream}' must be an absolute http(s) URL such as http://127.0.0.1:11434/v1.");
            }
        }

        if (MaxBatch is < 1 or > 4096)
        {
            errors.Add("Llm:MaxBatch must be between 1 and 4096.");
        }

        if (KvBudgetTokens < 1)
        {
            errors.Add("Llm:KvBudgetTokens must be at least 1.");
        }

        if (MaxWaiting < 0)
        {
            errors.Add("Llm:MaxWaiting must be 0 or more.");
        }

        if (QueueTimeoutMs < 1 || RetryAfterSeconds < 1 || MaxOutputTokens < 1)
        {
            errors.Add("Llm:QueueTimeoutMs, Llm:RetryAfterSeconds and Llm:MaxOutputTokens must be at least 1.");
        }

        if (StreamIntervalMs < 0)
        {
            errors.Add("Llm:StreamIntervalMs must be 0 (one write per token) or more.");
        }

        return errors;
    }
}
