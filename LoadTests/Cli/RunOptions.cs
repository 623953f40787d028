namespace BenchPlatform.LoadTests.Cli;

/// <summary>Everything the command line says; defaults are the values <c>--help</c> prints.</summary>
public sealed class RunOptions
{
    public string Scenario { get; set; } = "";

    public Uri? Target { get; set; }

    public string Path { get; set; } = "/alive";

    public HttpMethod Method { get; set; } = HttpMethod.Get;

    public string? BodyFile { get; set; }

    public string ContentType { get; set; } = "application/json";

    public double? Rate { get; set; }

    public double? RampTo { get; set; }

    public TimeSpan? Duration { get; set; }

    public TimeSpan? Warmup { get; set; }

    public int? Concurrency { get; set; }

    public int Connections { get; set; } = 512;

    public long? Iterations { get; set; }

    public List<string> Models { get; } = [];

    public List<string> ModelFiles { get; } = [];

    public int InputSize { get; set; } = 512;

    public long IntFill { get; set; } = 16000;

    public List<int> BatchSizes { get; } = [];

    public int MaxTokens { get; set; } = 64;

    public string Prompt { get; set; } = "Once upon a time";

    public TimeSpan P99Bound { get; set; } = TimeSpan.FromMilliseconds(100);

    public double MaxRate { get; set; } = 100_000;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan LateAfter { get; set; } = TimeSpan.FromMilliseconds(10);

    public TimeSpan ColdWait { get; set; } = TimeSpan.FromSeconds(180);

    /// <summary>soak: the process whose tree's resident memory is sampled (e.g. the AppHost's PID).</summary>
    public int? RssRoot { get; set; }

    public string? ReportDirectory { get; set; }

    public List<Threshold> Thresholds { get; } = [];

    /// <summary><c>--abort-when-error-count</c>: stop the run after this many failed checks of one <c>--threshold</c> while it goes.</summary>
    public int? AbortWhenErrorCount { get; set; }

    /// <summary><c>--start-check-after</c>: no checks while the run goes before this much of it has passed.</summary>
    public TimeSpan? StartCheckAfter { get; set; }

    public string? ApiKey { get; set; }

    public bool UseCache { get; set; }

    /// <summary>Send generated infer inputs as binary tensor data (Inference-Header-Content-Length) instead of JSON.</summary>
    public bool Binary { get; set; }

    public bool Plain { get; set; }

    /// <summary><c>--live</c>: print live stats at this interval.</summary>
    public TimeSpan? LiveInterval { get; set; }

    /// <summary><c>--live-file</c>: append live stats as JSON lines here.</summary>
    public string? LiveFile { get; set; }

    /// <summary><c>--otlp</c>: export live stats over OTLP.</summary>
    public bool Otlp { get; set; }

    public bool Help { get; set; }

    /// <summary>For <c>compare</c>: the baseline and the candidate summaries.</summary>
    public List<string> Positionals { get; } = [];

    public double Tolerance { get; set; } = 0.10;

    public TimeSpan MinDelta { get; set; } = TimeSpan.FromMilliseconds(1);
}
