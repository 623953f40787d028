// Token-throughput benchmark of LLM generation (the seed system benchmark's shape): N sequences with fixed
// prompt and output lengths, total output tokens / wall time, TTFT and time per output token p50/p99,
// at several concurrency levels, directly against the generation loop in-process (the ceiling) and over
// HTTP against the same loop behind the OpenAI-compatible API (streaming, so TTFT is measured by the client).
//
//   dotnet run -c Release --project bench/llm-throughput -- [sequences=256] [prompt=32] [output=64] [threads=0]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Threading.Channels;
using BenchPlatform.InferenceWorker.Llm;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

if (args is ["profile", ..])
{
    // Time one batched decode step at several batch sizes (past = 64 positions): where does a step's time go?
    var dir = Path.Combine(Path.GetTempPath(), "llm-profile-" + Guid.NewGuid().ToString("N"));
    TinyLmBuilder.Write(dir);
    using var session = new DecoderSession(Path.Combine(dir, "model.onnx"), 1);
    foreach (var batch in (int[])[1, 8, 32, 64])
    {
        var rows = new StepRow[batch];
        for (var b = 0; b < batch; b++)
        {
            var cache = session.CreateCache(200);
            var tokens = Enumerable.Range(0, 200).Select(i => 40 + i % 50).ToArray();
            session.Forward([new StepRow(cache, tokens, 0, 64)], new float[session.VocabSize]);
            rows[b] = new StepRow(cache, tokens, 64, 1);
        }

        var logits = new float[batch * session.VocabSize];
        var clock = Stopwatch.StartNew();
        var steps = 0;
        while (clock.ElapsedMilliseconds < 2000)
        {
            foreach (var row in rows)
            {
                row.Cache.Length = 64;
            }

            session.Forward(rows, logits);
            steps++;
        }

        var perStep = clock.Elapsed.TotalMilliseconds / steps;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch {batch}: {perStep:0.000} ms/step, {perStep / batch:0.0000} ms/token, {batch * 1000 / perStep:0} tokens/s"));
    }

    Directory.Delete(dir, recursive: true);
    return;
}

var sequences = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 256;
var promptLength = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
var outputLength = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
var threads = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
int[] levels = [1, 8, 32, 64];

var folder = Path.Combine(Path.GetTempPath(), "llm-bench-" + Guid.NewGuid().ToString("N"));
TinyLmBuilder.Write(folder);
var prompt = Enumerable.Range(0, promptLength).Select(i => 32 + i % 90).ToArray();
Console.WriteLine($"tiny LM (2 layers, hidden 64, vocab {TinyLmBuilder.Vocabulary().Count}); {sequences} sequences, prompt {promptLength} tokens, output {outputLength} tokens, greedy; ORT intra-op threads {threads} (0 = default); {Environment.ProcessorCount} cores");
Console.WriteLine();
Console.WriteLine("| path | concurrency | tokens/s | wall s | TTFT p50 ms | TTFT p99 ms | TPOT p50 ms | TPOT p99 ms | steps |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");

var results = new Dictionary<(string, int), double>();
try
{
    // Warm-up (JIT, ORT), then per level: the loop in-process (the ceiling), then the same loop over HTTP,
    // back to back so machine noise hits both alike.
    var warmOptions = new LlmOptions { MaxBatch = 8, IntraOpThreads = threads, KvBudgetTokens = 1 << 22 };
    using (var warm = new GenerationEngine("warm", new DecoderSession(Path.Combine(folder, "model.onnx"), threads), [], warmOptions, TimeProvider.System, NullLogger.Instance))
    {
        await RunAsync(8, Math.Min(sequences, 32), (_, ct) => InProcessAsync(warm, prompt, outputLength, ct));
    }

    foreach (var level in levels)
    {
        var options = new LlmOptions { MaxBatch = level, IntraOpThreads = threads, KvBudgetTokens = 1 << 22 };
        using (var engine = new GenerationEngine("bench", new DecoderSession(Path.Combine(folder, "model.onnx"), threads), [], options, TimeProvider.System, NullLogger.Instance))
        {
            var run = await RunAsync(level, sequences, (_, ct) => InProcessAsync(engine, prompt, outputLength, ct));
            Report("in-process loop", level, run, engine.Steps);
            results[("in-process", level)] = run.TokensPerSecond;
        }

        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        var port = 20000 + Random.Shared.Next(20000);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Root"] = folder + "-state",
            ["Llm:Models:tiny:Path"] = folder,
            ["Llm:MaxBatch"] = level.ToString(CultureInfo.InvariantCulture),
            ["Llm:IntraOpThreads"] = threads.ToString(CultureInfo.InvariantCulture),
            ["Llm:KvBudgetTokens"] = (1 << 22).ToString(CultureInfo.InvariantCulture),
        });
        builder.AddLlmServing();
        await using var app = builder.Build();
        app.MapOpenAiApi();
        await app.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(10) };
        await RunAsync(Math.Min(level, 8), 8, (_, ct) => HttpAsync(http, prompt, outputLength, ct)); // warm the connections
        var overHttp = await RunAsync(level, sequences, (_, ct) => HttpAsync(http, prompt, outputLength, ct));
        Report("HTTP, streamed", level, overHttp, 0);
        results[("http", level)] = overHttp.TokensPerSecond;
        await app.StopAsync();
    }

    Console.WriteLine();
    var sequential = results[("in-process", 1)];
    foreach (var level in levels)
    {
        var inProcess = results[("in-process", level)];
        var http = results[("http", level)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"concurrency {level}: continuous batching / sequential = {inProcess / sequential:0.00}x (in-process), HTTP / in-process = {http / inProcess:0.000} (overhead {(1 - http / inProcess) * 100:0.0}%)"));
    }
}
finally
{
    Directory.Delete(folder, recursive: true);
    if (Directory.Exists(folder + "-state"))
    {
        Directory.Delete(folder + "-state", recursive: true);
    }
}

async Task<Run> RunAsync(int concurrency, int count, Func<int, CancellationToken, Task<Sample>> one)
{
    var next = -1;
    var samples = new Sample[count];
    var clock = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            samples[i] = await one(i, CancellationToken.None);
        }
    }).ToArray();
    await Task.WhenAll(workers);
    var wall = clock.Elapsed.TotalSeconds;
    return new Run(samples, wall, samples.Sum(s => s.Tokens) / wall);
}

static async Task<Sample> InProcessAsync(GenerationEngine engine, int[] prompt, int output, CancellationToken cancellationToken)
{
    var channel = Channel.CreateUnbounded<GeneratedToken>(new UnboundedChannelOptions { SingleReader = true });
    var sequence = new Sequence(0, prompt, output, new SamplingParameters(0, 1, 0, 1, null), channel.Writer, cancellationToken);
    if (engine.Submit(sequence) != SubmitResult.Accepted)
    {
        throw new InvalidOperationException("not admitted");
    }

    var tokens = 0;
    while (true)
    {
        var e = await channel.Reader.ReadAsync(cancellationToken);
        if (e.Error is not null)
        {
            throw e.Error;
        }

        tokens += e.TokenId >= 0 ? 1 : 0;
        if (e.Finish is not null)
        {
            break;
        }
    }

    // The loop's own timestamps: when it produced the first and the last token.
    return Sample.From(sequence.EnqueuedAt, sequence.FirstTokenAt, sequence.FinishedAt, tokens);
}

static async Task<Sample> HttpAsync(HttpClient http, int[] prompt, int output, CancellationToken cancellationToken)
{
    var start = Stopwatch.GetTimestamp();
    using var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions")
    {
        Content = JsonContent.Create(new { model = "tiny", prompt, max_tokens = output, temperature = 0, stream = true }),
    };
    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    response.EnsureSuccessStatusCode();
    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
    long first = 0;
    var tokens = 0;
    string? line;
    while ((line = await reader.ReadLineAsync(cancellationToken)) is not null)
    {
        if (!line.StartsWith("data: ", StringComparison.Ordinal))
        {
            continue;
        }

        if (line == "data: [DONE]")
        {
            break;
        }

        first = first == 0 ? Stopwatch.GetTimestamp() : first;
        var at = line.IndexOf("\"completion_tokens\":", StringComparison.Ordinal);
        if (at >= 0)
        {
            var from = at + "\"completion_tokens\":".Length;
            var to = from;
            while (char.IsDigit(line[to]))
            {
                to++;
            }

            tokens = int.Parse(line.AsSpan(from, to - from), CultureInfo.InvariantCulture);
        }
    }

    return Sample.From(start, first, Stopwatch.GetTimestamp(), tokens);
}

static void Report(string path, int concurrency, Run run, long steps)
{
    var ttft = run.Samples.Select(s => s.TtftMs).Order().ToArray();
    var tpot = run.Samples.Select(s => s.TpotMs).Order().ToArray();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {path} | {concurrency} | {run.TokensPerSecond:0.0} | {run.WallSeconds:0.000} | {P(ttft, 0.50):0.00} | {P(ttft, 0.99):0.00} | {P(tpot, 0.50):0.000} | {P(tpot, 0.99):0.000} | {(steps == 0 ? "" : steps.ToString(CultureInfo.InvariantCulture))} |"));
}

static double P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

internal readonly record struct Sample(double TtftMs, double TpotMs, int Tokens)
{
    public static Sample From(long start, long first, long end, int tokens) => new(
        Stopwatch.GetElapsedTime(start, first).TotalMilliseconds,
        tokens > 1 ? Stopwatch.GetElapsedTime(first, end).TotalMilliseconds / (tokens - 1) : 0,
        tokens);
}

internal sealed record Run(Sample[] Samples, double WallSeconds, double TokensPerSecond);
