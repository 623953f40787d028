using System.Globalization;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Engine;
using BenchPlatform.LoadTests.Progress;
using BenchPlatform.LoadTests.Results;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>What every scenario shares: the options, the engine, the setup API, the progress view and the results so far.</summary>
public sealed class ScenarioContext
{
    private readonly Dictionary<string, string> _uploaded = [];
    private readonly Lock _results = new();
    private volatile MeasuredStep? _measuring;

    public ScenarioContext(RunOptions options, LoadEngine engine, GatewayApi api, IProgressView progress, TimeProvider time)
    {
        Options = options;
        Engine = engine;
        Api = api;
        Progress = progress;
        Time = time;
    }

    public RunOptions Options { get; }

    public LoadEngine Engine { get; }

    public GatewayApi Api { get; }

    public IProgressView Progress { get; }

    public TimeProvider Time { get; }

    /// <summary>Every measured step, in the order it ran.</summary>
    public List<RunSummary> Results { get; } = [];

    /// <summary>
    /// The finished steps' summaries and the running step's over its records so far (live threshold checks); safe while
    /// a step runs.
    /// </summary>
    public List<RunSummary> ResultsSoFar()
    {
        List<RunSummary> runs;
        lock (_results)
        {
            runs = [.. Results];
        }

        if (_measuring is { } step && Engine.Snapshot() is { } running)
        {
            runs.Add(Summarizer.Summarize(step.Scenario, step.Label, running.Records));
        }

        return runs;
    }

    /// <summary>The step running now (<c>scenario/label</c>), for live reporting; null between steps.</summary>
    public string? CurrentStep { get; private set; }

    /// <summary>Whether to sample <c>GET /v1/scale</c> during steps (off for the generic http scenario).</summary>
    public bool SampleScale { get; set; } = true;

    public TimeSpan Duration(TimeSpan fallback) => Options.Duration ?? fallback;

    public TimeSpan Warmup(TimeSpan fallback) => Options.Warmup ?? fallback;

    public double Rate(double fallback) => Options.Rate ?? fallback;

    public int Concurrency(int fallback) => Options.Concurrency ?? fallback;

    /// <summary>
    /// Runs an open-model step (<c>Simulation.Inject</c>, or a ramp to <c>--ramp-to</c>) of one request per iteration and
    /// records its summary.
    /// </summary>
    public async Task<RunSummary> OpenAsync(string scenario, string label, IRequestSource source, double rate, TimeSpan duration, TimeSpan warmup, Dictionary<string, string>? parameters = null, Func<RunRecords, Dictionary<string, double>>? metrics = null, CancellationToken cancellationToken = default)
    {
        var ramp = Options.RampTo is { } to && scenario != "throughput" ? to : (double?)null;
        var load = ramp is { } rampTo ? Simulation.Ramp(rate, rampTo, duration) : Simulation.Inject(rate, TimeSpan.FromSeconds(1), duration);
        var step = Requests(scenario, source)
            .WithLoadSimulations(load)
            .WithWarmUpDuration(warmup)
            .WithMaxInFlight(Options.Connections)
            .WithLateAfter(Options.LateAfter);
        parameters ??= [];
        parameters["rate"] = Units.Num(rate);
        parameters["connections"] = Options.Connections.ToString(CultureInfo.InvariantCulture);
        if (ramp is { } shown)
        {
            parameters["ramp_to"] = Units.Num(shown);
        }

        return await MeasureAsync(scenario, label, duration + warmup, parameters, metrics, () => Engine.RunRecordsAsync(step, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a closed-model step (<c>Simulation.KeepConstant</c>, or <c>IterationsForConstant</c> with a count) of one request
    /// per iteration and records its summary.
    /// </summary>
    public async Task<RunSummary> ClosedAsync(string scenario, string label, IRequestSource source, int concurrency, long? iterations, TimeSpan duration, TimeSpan warmup, Dictionary<string, string>? parameters = null, Func<RunRecords, Dictionary<string, double>>? metrics = null, CancellationToken cancellationToken = default)
    {
        var step = Requests(scenario, source)
            .WithLoadSimulations(iterations is { } count ? Simulation.IterationsForConstant(concurrency, count) : Simulation.KeepConstant(concurrency, duration))
            .WithWarmUpDuration(warmup);
        parameters ??= [];
        parameters["concurrency"] = concurrency.ToString(CultureInfo.InvariantCulture);
        if (iterations is { } n)
        {
            parameters["iterations"] = n.ToString(CultureInfo.InvariantCulture);
        }

        var expected = iterations is null ? duration + warmup : TimeSpan.Zero;
        return await MeasureAsync(scenario, label, expected, parameters, metrics, () => Engine.RunRecordsAsync(step, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="count"/> requests at once (one iteration per copy) and returns the records (the caller summarizes).</summary>
    public async Task<RunRecords> BurstAsync(string step, IRequestSource source, int count, CancellationToken cancellationToken)
    {
        CurrentStep = step;
        try
        {
            return await Progress.TrackAsync(step, TimeSpan.Zero, Engine, () => Engine.RunRecordsAsync(Requests("burst", source).WithLoadSimulations(Simulation.Burst(count)), cancellationToken)).ConfigureAwait(false);
        }
        finally
        {
            CurrentStep = null;
        }
    }

    /// <summary>A scenario whose iteration is one request from <paramref name="source"/> (status, Server-Timing and trace id recorded by <see cref="Http"/>).</summary>
    public static ScenarioProps Requests(string name, IRequestSource source) => Scenario.CreateValue(name, context => Http.Send(context, source));

    /// <summary>Summarizes records, adds the summary to the results and prints its line.</summary>
    public RunSummary Add(string scenario, string label, RunRecords records, Dictionary<string, string>? parameters = null, Dictionary<string, double>? metrics = null, List<ScaleSample>? replicas = null)
    {
        var summary = Summarizer.Summarize(scenario, label, records, parameters, metrics, replicas);
        lock (_results)
        {
            Results.Add(summary);
        }

        Progress.Info(Describe(summary));
        return summary;
    }

    /// <summary>The ONNX models to call: <c>--model</c> names, then uploaded <c>--model-file</c>s, else the first ONNX model the target lists.</summary>
    public async Task<List<string>> OnnxModelsAsync(CancellationToken cancellationToken)
    {
        var models = new List<string>(Options.Models);
        foreach (var file in Options.ModelFiles)
        {
            models.Add(await UploadAsync(file, cancellationToken).ConfigureAwait(false));
        }

        if (models.Count == 0 && await FirstListedAsync("onnx", cancellationToken).ConfigureAwait(false) is { } listed)
        {
            models.Add(listed);
        }

        return models.Count > 0 ? models : throw new ScenarioFailedException("no ONNX model to call: give --model NAME or --model-file PATH (the target lists none).");
    }

    /// <summary>Uploads an ONNX file once per run as <c>lt-{file name}</c> and loads it on the ready replicas.</summary>
    public async Task<string> UploadAsync(string file, CancellationToken cancellationToken)
    {
        if (_uploaded.TryGetValue(file, out var existing))
        {
            return existing;
        }

        var name = "lt-" + new string(System.IO.Path.GetFileNameWithoutExtension(file).Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
        Progress.Info($"uploading {file} as model '{name}'");
        await Api.UploadModelAsync(name, await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        _uploaded[file] = name;
        return name;
    }

    /// <summary>An infer request source for a model at a batch size (or the <c>--body-file</c> as given).</summary>
    public async Task<BodyRequestSource> InferSourceAsync(string model, int batch, CancellationToken cancellationToken)
    {
        byte[] body;
        int? headerLength = null;
        if (Options.BodyFile is not null)
        {
            body = await File.ReadAllBytesAsync(Options.BodyFile, cancellationToken).ConfigureAwait(false);
        }
        else if (Options.Binary)
        {
            var inputs = await Api.GetInputsAsync(model, cancellationToken).ConfigureAwait(false);
            body = InferBody.BuildBinary(inputs, batch, Options.InputSize, Options.IntFill, Options.UseCache, out var length);
            headerLength = length;
        }
        else
        {
            var inputs = await Api.GetInputsAsync(model, cancellationToken).ConfigureAwait(false);
            body = InferBody.Build(inputs, batch, Options.InputSize, Options.IntFill, Options.UseCache);
        }

        return new BodyRequestSource(HttpMethod.Post, Api.Url($"/v2/models/{Uri.EscapeDataString(model)}/infer"), body,
            headerLength is null ? "application/json" : "application/octet-stream", Options.ApiKey, headerLength);
    }

    /// <summary>The first text-generation model: <c>--model</c> when given, else the first <c>llm</c> the target lists.</summary>
    public async Task<string?> LlmAsync(CancellationToken cancellationToken) =>
        Options.Models.Count > 0 ? Options.Models[0] : await FirstListedAsync("llm", cancellationToken).ConfigureAwait(false);

    /// <summary>The first model of <paramref name="kind"/> (<c>onnx</c> or <c>llm</c>) that the target lists, or null.</summary>
    public async Task<string?> FirstListedAsync(string kind, CancellationToken cancellationToken)
    {
        foreach (var (name, listedKind) in await Api.ListModelsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (listedKind == kind)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>One line per step: rate, counts and the corrected percentiles of every class.</summary>
    public static string Describe(RunSummary summary)
    {
        var line = new System.Text.StringBuilder();
        // What the target did (completions in the measured window, whoever sent them) beside what the generator sent and
        // could not send: under overload the measured requests may never leave the generator while the server is busy.
        line.Append(CultureInfo.InvariantCulture, $"{summary.Scenario}/{summary.Label}: {summary.AchievedRate:0.#} req/s sent, target completed {Units.Num(summary.CompletedRate, "0.#")}/s (goodput {Units.Num(summary.Goodput, "0.#")}/s, refused={summary.Refused}), sent={summary.Sent} ok={summary.Ok} errors={summary.HttpErrors + summary.Failed} timeouts={summary.Timeouts} dropped={summary.Dropped} late={summary.Late} due={summary.Due}");
        if (summary.Model is "open" or "mixed")
        {
            line.Append(CultureInfo.InvariantCulture, $" lag p50={Units.Ms(summary.Lag.P50)} p99={Units.Ms(summary.Lag.P99)} ms");
        }

        foreach (var (name, stats) in summary.Classes)
        {
            line.Append(CultureInfo.InvariantCulture, $" | {name} n={stats.Corrected.Count} p50={Units.Ms(stats.Corrected.P50)} p99={Units.Ms(stats.Corrected.P99)} ms (uncorrected p99={Units.Ms(stats.Uncorrected.P99)})");
        }

        return line.ToString();
    }

    private async Task<RunSummary> MeasureAsync(string scenario, string label, TimeSpan expected, Dictionary<string, string> parameters, Func<RunRecords, Dictionary<string, double>>? metrics, Func<Task<RunRecords>> run, CancellationToken cancellationToken)
    {
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var replicas = new List<ScaleSample>();
        var sampler = SampleScale ? SampleScaleAsync(replicas, sampling.Token) : Task.CompletedTask;
        RunRecords records;
        CurrentStep = $"{scenario}/{label}";
        _measuring = new MeasuredStep(scenario, label);
        try
        {
            records = await Progress.TrackAsync(CurrentStep, expected, Engine, run).ConfigureAwait(false);
        }
        finally
        {
            _measuring = null;
            CurrentStep = null;
            await sampling.CancelAsync().ConfigureAwait(false);
            await sampler.ConfigureAwait(false);
        }

        return Add(scenario, label, records, parameters, metrics?.Invoke(records), replicas);
    }

    private async Task SampleScaleAsync(List<ScaleSample> samples, CancellationToken cancellationToken)
    {
        var started = Time.GetTimestamp();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var scale = await Api.GetScaleAsync(cancellationToken).ConfigureAwait(false);
                samples.Add(new ScaleSample(Time.GetElapsedTime(started).TotalSeconds, scale.Ready, scale.Desired, scale.InFlight));
                await Task.Delay(TimeSpan.FromSeconds(1), Time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ScenarioFailedException or HttpRequestException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // The target has no scale endpoint (or stopped answering it): the report simply has no replica chart.
        }
    }

    private sealed record MeasuredStep(string Scenario, string Label);
}
