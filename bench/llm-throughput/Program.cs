// Token-throughput benchmark of LLM generation (the seed system benchmark's shape): N sequences with fixed
// prompt and output lengths, total output tokens / wall time, TTFT and time per output token p50/p99,
// at several concurrency levels: the generation loop in-process (the ceiling), then the same loop behind the
// OpenAI-compatible API over HTTP (streamed, so TTFT is measured by the client), directly against the worker
// and through the real gateway (a separate process, Gateway/bin/Release/net10.0/Gateway.dll, when it is built).
// Rounds run every path and level back to back, so machine noise hits all alike; the summary gives medians over
// rounds of the ratios taken within each round.
//
//   dotnet run -c Release --project bench/llm-throughput -- [sequences=256] [prompt=32] [output=64] [threads=0] [rounds=1] [shape=tiny|wide] [http=stream|whole] [intervals=default]
//   dotnet run -c Release --project bench/llm-throughput -- profile [shape=tiny|wide]
//   dotnet run -c Release --project bench/llm-throughput -- engines [sequences=128] [prompt=32] [output=64] [threads=0] [rounds=3]   (EngineComparison.cs)
//
// shape: "tiny" is the served tiny LM (2 layers, hidden 64, head size 16); "wide" is the same seeded builder at
// 4 layers, hidden 256, head size 64: a decoder whose per-token compute outweighs the per-step fixed costs, as a
// real model's does.
// intervals: streamed only, Llm:StreamIntervalMs values separated by commas (e.g. 0,5,10,25,whole; "whole" = not
// streamed); each round runs the HTTP paths once per entry, in an order rotated every round, against the same worker
// and gateway, so that the entries are compared within the same minutes.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Threading.Channels;
using BenchPlatform.InferenceWorker.Llm;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

if (args is ["engines", ..])
{
    await EngineComparison.RunAsync(args[1..]);
    return;
}

if (args is ["profile", ..])
{
    var profileShape = Shape(args.Length > 1 ? args[1] : "tiny");
    var dir = Path.Combine(Path.GetTempPath(), "llm-profile-" + Guid.NewGuid().ToString("N"));
    TinyLmBuilder.Write(dir, profileShape);
    try
    {
        Profile(Path.Combine(dir, "model.onnx"));
    }
    finally
    {
        Directory.Delete(dir, recursive: true);
    }

    return;
}

var sequences = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 256;
var promptLength = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
var outputLength = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
var threads = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
var rounds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1;
var shapeName = args.Length > 5 ? args[5] : "tiny";
var streamed = (args.Length > 6 ? args[6] : "stream") switch
{
    "stream" => true,
    "whole" => false,
    var other => throw new ArgumentException($"'{other}' is not stream or whole"),
};
const int Whole = -1; // an "interval" entry that asks for the answer not streamed
var intervals = streamed && args.Length > 7
    ? args[7].Split(',').Select(v => v == "whole" ? Whole : int.Parse(v, CultureInfo.InvariantCulture)).ToArray()
    : [new LlmOptions().StreamIntervalMs];
var shape = Shape(shapeName);
int[] levels = [1, 8, 32, 64];

var folder = Path.Combine(Path.GetTempPath(), "llm-bench-" + Guid.NewGuid().ToString("N"));
TinyLmBuilder.Write(folder, shape);
// Digits: no merge of the tiny vocabulary applies, so the text is one byte token per character, and byte b is token b.
// The HTTP paths send the text, as clients usually do; the in-process loop its token ids.
var promptText = string.Concat(Enumerable.Range(0, promptLength).Select(i => (char)('0' + i % 10)));
var prompt = promptText.Select(c => (int)c).ToArray();
Console.WriteLine($"{shapeName} LM ({shape.Layers} layers, hidden {shape.Hidden}, {shape.Heads} heads, vocab {TinyLmBuilder.Vocabulary().Count}); {sequences} sequences, prompt {promptLength} tokens, output {outputLength} tokens, greedy; ORT intra-op threads {threads} (0 = default); {Environment.ProcessorCount} cores; {rounds} round(s); HTTP {(streamed ? $"streamed (SSE), Llm:StreamIntervalMs {string.Join(", ", intervals.Select(Interval))}" : "not streamed (one JSON answer)")}");
Console.WriteLine($"load average before: {LoadAverage()}");
Console.WriteLine();
Console.WriteLine("CPU µs/token: all threads of the bench process (plus the gateway process on its path). Loop busy / waiting: the");
Console.WriteLine("generation loop thread on a CPU / runnable but waiting for a CPU (foreign load), per output token.");
Console.WriteLine();
Console.WriteLine("| round | path | concurrency | tokens/s | CPU µs/token | loop busy µs/token | loop waiting µs/token | wall s | TTFT p50 ms | TTFT p99 ms | TPOT p50 ms | TPOT p99 ms | steps (resident) |");
Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");

const string InProcess = "in-process loop";
const string Direct = "HTTP to the worker";
const string ThroughGateway = "HTTP through the gateway";
string PathName(string path, int interval) => streamed ? $"{path}, {(interval == Whole ? "not streamed" : $"interval {interval} ms")}" : path;
var results = new Dictionary<(string Path, int Level), List<double>>();
var cpuResults = new Dictionary<(string Path, int Level), List<double>>();
var busyResults = new Dictionary<(string Path, int Level), List<double>>();
Process? gateway = null;
try
{
    // One in-process engine for every level, configured as the worker's below (MaxBatch = the highest level; a closed
    // loop of c clients never has more than c sequences in a batch, so concurrency 1 runs batch 1), warmed at batch 1
    // and batched long enough for tiered JIT to reach optimized code (its background compiler is slow on a busy machine).
    var engineOptions = new LlmOptions { MaxBatch = levels[^1], IntraOpThreads = threads, KvBudgetTokens = 1 << 22 };
    using var engine = new GenerationEngine("bench", new DecoderSession(Path.Combine(folder, "model.onnx"), threads), [], engineOptions, TimeProvider.System, NullLogger.Instance);
    for (var warmUntil = Stopwatch.StartNew(); warmUntil.Elapsed < TimeSpan.FromSeconds(3);)
    {
        await RunAsync(1, 4, (_, ct) => InProcessAsync(engine, prompt, outputLength, ct));
        await RunAsync(32, 64, (_, ct) => InProcessAsync(engine, prompt, outputLength, ct));
    }

    // One worker host (the LLM feature as the worker composes it) serves every level, with the same MaxBatch.
    var builder = WebApplication.CreateBuilder();
    builder.Logging.ClearProviders();
    var workerPort = FreePort();
    builder.WebHost.UseUrls($"http://127.0.0.1:{workerPort}");
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Storage:Root"] = folder + "-state",
        ["Llm:Models:tiny:Path"] = folder,
        ["Llm:MaxBatch"] = levels[^1].ToString(CultureInfo.InvariantCulture),
        ["Llm:IntraOpThreads"] = threads.ToString(CultureInfo.InvariantCulture),
        ["Llm:KvBudgetTokens"] = (1 << 22).ToString(CultureInfo.InvariantCulture),
    });
    builder.AddLlmServing();
    await using var app = builder.Build();
    // The handler reads Llm:StreamIntervalMs from this instance on every request: each run sets the interval it measures.
    var workerOptions = app.Services.GetRequiredService<IOptions<LlmOptions>>().Value;
    app.MapGet("/health", () => "Healthy"); // what the gateway's active health probe asks
    app.MapOpenAiApi();
    await app.StartAsync();
    using var direct = Client(workerPort);
    await CheckPromptAsync(direct, promptText, promptLength);
    for (var warmUntil = Stopwatch.StartNew(); warmUntil.Elapsed < TimeSpan.FromSeconds(3);)
    {
        await RunAsync(32, 64, (_, ct) => HttpAsync(direct, promptText, outputLength, streamed, ct)); // warm the connections and the JIT
    }


    HttpClient? viaGateway = null;
    if (GatewayAssembly() is { } gatewayDll)
    {
        var gatewayPort = FreePort();
        gateway = StartGateway(gatewayDll, gatewayPort, workerPort);
        viaGateway = Client(gatewayPort);
        await UntilServedAsync(viaGateway, promptText);
        await RunAsync(8, 16, (_, ct) => HttpAsync(viaGateway, promptText, outputLength, streamed, ct));
    }
    else
    {
        Console.WriteLine("(Gateway/bin/Release/net10.0/Gateway.dll is not built: dotnet build -c Release Gateway; the gateway rows are skipped)");
    }

    for (var round = 1; round <= rounds; round++)
    {
        foreach (var level in levels)
        {
            var (steps, resident) = (engine.Steps, engine.ResidentSteps);
            var run = await RunAsync(level, sequences, (_, ct) => InProcessAsync(engine, prompt, outputLength, ct), loopThread: "llm-bench");
            Record(round, InProcess, level, run, $"{engine.Steps - steps} ({engine.ResidentSteps - resident})");

            for (var k = 0; k < intervals.Length; k++)
            {
                var interval = intervals[(k + round - 1) % intervals.Length];
                workerOptions.StreamIntervalMs = Math.Max(0, interval);
                var stream = streamed && interval != Whole;
                Record(round, PathName(Direct, interval), level, await RunAsync(level, sequences, (_, ct) => HttpAsync(direct, promptText, outputLength, stream, ct), loopThread: "llm-tiny"), "");
                if (viaGateway is not null)
                {
                    Record(round, PathName(ThroughGateway, interval), level, await RunAsync(level, sequences, (_, ct) => HttpAsync(viaGateway, promptText, outputLength, stream, ct), gateway, "llm-tiny"), "");
                }
            }
        }
    }

    await app.StopAsync();
    viaGateway?.Dispose();
    Console.WriteLine();
    Console.WriteLine($"load average after: {LoadAverage()}");
    Console.WriteLine();
    Console.WriteLine($"Median over {rounds} round(s) [min–max]; each ratio is taken within a round (same minute, same noise), then summarized.");
    Console.WriteLine("Sequential = the in-process loop at concurrency 1: one sequence at a time through the same engine (batch 1).");
    Console.WriteLine("Overhead = 1 − HTTP tok/s ÷ in-process tok/s at the same concurrency.");
    Console.WriteLine();
    Console.WriteLine("Best = the fastest round of each cell (the one foreign load disturbed least); best ÷ best sequential compares those.");
    Console.WriteLine();
    Console.WriteLine("| concurrency | interval ms | in-process tok/s | vs sequential | best ÷ best sequential | worker tok/s | worker overhead | gateway tok/s | gateway overhead |");
    Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var level in levels)
        foreach (var interval in intervals)
        {
            var inProcess = results[(InProcess, level)];
            var speedup = Summary(Zip(inProcess, results[(InProcess, 1)], (a, b) => a / b), "0.00", "x");
            var best = (inProcess.Max() / results[(InProcess, 1)].Max()).ToString("0.00", CultureInfo.InvariantCulture) + "x";
            var worker = results[(PathName(Direct, interval), level)];
            var workerOverhead = Summary(Zip(worker, inProcess, (h, i) => (1 - h / i) * 100), "0.0", "%");
            var viaGw = results.GetValueOrDefault((PathName(ThroughGateway, interval), level));
            var gwOverhead = viaGw is null ? "" : Summary(Zip(viaGw, inProcess, (h, i) => (1 - h / i) * 100), "0.0", "%");
            Console.WriteLine($"| {level} | {Interval(interval)} | {Summary(inProcess, "0.0", "")} | {speedup} | {best} | {Summary(worker, "0.0", "")} | {workerOverhead} | {(viaGw is null ? "" : Summary(viaGw, "0.0", ""))} | {gwOverhead} |");
        }

    Console.WriteLine();
    Console.WriteLine("| concurrency | interval ms | best in-process tok/s | best worker tok/s | overhead of bests | best gateway tok/s | overhead of bests |");
    Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var level in levels)
        foreach (var interval in intervals)
        {
            var inProcess = results[(InProcess, level)].Max();
            var worker = results[(PathName(Direct, interval), level)].Max();
            var viaGw = results.GetValueOrDefault((PathName(ThroughGateway, interval), level))?.Max();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {level} | {Interval(interval)} | {inProcess:0.0} | {worker:0.0} | {(1 - worker / inProcess) * 100:0.0}% | {viaGw:0.0} | {(viaGw is { } g ? $"{(1 - g / inProcess) * 100:0.0}%" : "")} |"));
        }

    Console.WriteLine();
    Console.WriteLine("The generation loop's own time per output token (its thread on a CPU; what one step costs the loop, spread over");
    Console.WriteLine("the step's tokens). On a quiet machine the loop is the bottleneck, so sequential ÷ this approximates the");
    Console.WriteLine("throughput ratio that foreign load hides in wall time.");
    Console.WriteLine();
    Console.WriteLine("| concurrency | interval ms | in-process loop busy µs/token | sequential ÷ this | worker loop busy µs/token | gateway loop busy µs/token |");
    Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var level in levels)
        foreach (var interval in intervals)
        {
            var inProcess = busyResults[(InProcess, level)];
            var speedup = Summary(Zip(busyResults[(InProcess, 1)], inProcess, (a, b) => a / b), "0.00", "x");
            var viaGw = busyResults.GetValueOrDefault((PathName(ThroughGateway, interval), level));
            Console.WriteLine($"| {level} | {Interval(interval)} | {Summary(inProcess, "0.0", "")} | {speedup} | {Summary(busyResults[(PathName(Direct, interval), level)], "0.0", "")} | {(viaGw is null ? "" : Summary(viaGw, "0.0", ""))} |");
        }

    // CPU time per token does not depend on what else the machine runs as much as wall time does.
    Console.WriteLine();
    Console.WriteLine("CPU time per output token (all threads of the bench process; plus the gateway process on its path): the same");
    Console.WriteLine("comparisons by CPU cost, which foreign load distorts far less than wall time. Extra CPU = HTTP ÷ in-process − 1.");
    Console.WriteLine();
    Console.WriteLine("| concurrency | interval ms | in-process µs/token | sequential ÷ this | worker µs/token | extra CPU | gateway µs/token | extra CPU |");
    Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var level in levels)
        foreach (var interval in intervals)
        {
            var inProcess = cpuResults[(InProcess, level)];
            var speedup = Summary(Zip(cpuResults[(InProcess, 1)], inProcess, (a, b) => a / b), "0.00", "x");
            var worker = cpuResults[(PathName(Direct, interval), level)];
            var workerExtra = Summary(Zip(worker, inProcess, (h, i) => (h / i - 1) * 100), "0.0", "%");
            var viaGw = cpuResults.GetValueOrDefault((PathName(ThroughGateway, interval), level));
            var gwExtra = viaGw is null ? "" : Summary(Zip(viaGw, inProcess, (h, i) => (h / i - 1) * 100), "0.0", "%");
            Console.WriteLine($"| {level} | {Interval(interval)} | {Summary(inProcess, "0.0", "")} | {speedup} | {Summary(worker, "0.0", "")} | {workerExtra} | {(viaGw is null ? "" : Summary(viaGw, "0.0", ""))} | {gwExtra} |");
        }
}
finally
{
    if (gateway is not null)
    {
        gateway.Kill();
        await gateway.WaitForExitAsync();
        gateway.Dispose();
    }

    Directory.Delete(folder, recursive: true);
    if (Directory.Exists(folder + "-state"))
    {
        Directory.Delete(folder + "-state", recursive: true);
    }
}

string Interval(int interval) => !streamed ? "n/a" : interval == Whole ? "whole" : interval.ToString(CultureInfo.InvariantCulture);

void Record(int round, string path, int level, Run run, string steps)
{
    Report(round, path, level, run, steps);
    if (!results.TryGetValue((path, level), out var list))
    {
        results[(path, level)] = list = [];
    }

    list.Add(run.TokensPerSecond);
    if (!cpuResults.TryGetValue((path, level), out var cpu))
    {
        cpuResults[(path, level)] = cpu = [];
    }

    cpu.Add(run.CpuMicrosecondsPerToken);
    if (!busyResults.TryGetValue((path, level), out var busy))
    {
        busyResults[(path, level)] = busy = [];
    }

    busy.Add(run.LoopBusyMicrosecondsPerToken);
}

static TinyLmShape Shape(string name) => name switch
{
    "tiny" => new TinyLmShape(),
    "wide" => new TinyLmShape(Layers: 4, Hidden: 256, Heads: 4),
    _ => throw new ArgumentException($"shape '{name}' is not tiny or wide"),
};

// One batched decode step at several batch sizes, past 64 → 128 positions: the step gathering every cache into a
// new batch tensor (what a change of the batch's rows costs), and the step reading the previous present kept resident.
static void Profile(string modelPath)
{
    using var session = new DecoderSession(modelPath, 1);
    foreach (var batch in (int[])[1, 8, 32, 64])
    {
        var line = $"batch {batch}:";
        double? gatherPerStep = null;
        foreach (var resident in (ResidentPast?[])[null, new ResidentPast()])
        {
            var rows = new StepRow[batch];
            var logits = new float[batch * session.VocabSize];
            var tokens = Enumerable.Range(0, 200).Select(i => 40 + i % 50).ToArray();
            var elapsed = TimeSpan.Zero;
            var steps = 0;
            while (elapsed.TotalMilliseconds < 2000)
            {
                for (var b = 0; b < batch; b++)
                {
                    rows[b].Cache?.Dispose();
                    var cache = session.CreateCache(200);
                    session.Forward([new StepRow(cache, tokens, 0, 64)], new float[session.VocabSize]);
                    rows[b] = new StepRow(cache, tokens, 64, 1);
                }

                var started = Stopwatch.GetTimestamp();
                for (var past = 64; past < 128; past++)
                {
                    for (var b = 0; b < batch; b++)
                    {
                        rows[b] = rows[b] with { Start = past };
                    }

                    session.Forward(rows, logits, resident);
                    steps++;
                }

                elapsed += Stopwatch.GetElapsedTime(started);
            }

            foreach (var row in rows)
            {
                row.Cache.Dispose();
            }

            resident?.Dispose();
            var perStep = elapsed.TotalMilliseconds / steps;
            line += string.Create(CultureInfo.InvariantCulture, $" {(resident is null ? "gathered" : "resident")} {perStep:0.000} ms/step ({batch * 1000 / perStep:0} tokens/s)");
            if (resident is null)
            {
                gatherPerStep = perStep;
            }
            else
            {
                line += string.Create(CultureInfo.InvariantCulture, $", resident/gathered {gatherPerStep / perStep:0.00}x");
            }
        }

        Console.WriteLine(line);
    }
}

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
}

static HttpClient Client(int port) =>
    new(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(10) };

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static string? GatewayAssembly()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "Gateway", "bin", "Release", "net10.0", "Gateway.dll");
        if (File.Exists(candidate))
        {
            return candidate;
        }
    }

    return null;
}

// The real gateway as the AppHost starts it, its inference cluster pointed at the worker (auth off, telemetry on).
static Process StartGateway(string dll, int port, int workerPort)
{
    var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true };
    start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
    start.Environment["services__inference__http__0"] = $"http://127.0.0.1:{workerPort}/";
    start.Environment["Internal__Token"] = "bench-internal-token";
    start.Environment["Logging__LogLevel__Default"] = "Warning";
    var process = Process.Start(start) ?? throw new InvalidOperationException("the gateway did not start");
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) =>
    {
        if (e.Data is not null)
        {
            Console.Error.WriteLine($"gateway: {e.Data}");
        }
    };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static async Task CheckPromptAsync(HttpClient http, string prompt, int expected)
{
    using var response = await http.PostAsJsonAsync("v1/completions", new { model = "tiny", prompt, max_tokens = 1, temperature = 0 });
    response.EnsureSuccessStatusCode();
    using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    var tokens = json.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
    if (tokens != expected)
    {
        throw new InvalidOperationException($"the prompt text encodes to {tokens} tokens, not {expected}");
    }
}

static async Task UntilServedAsync(HttpClient http, string prompt)
{
    var deadline = Stopwatch.StartNew();
    var last = "";
    while (true)
    {
        try
        {
            using var response = await http.PostAsJsonAsync("v1/completions", new { model = "tiny", prompt, max_tokens = 2, temperature = 0 });
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }
        catch (HttpRequestException e)
        {
            last = e.Message; // not listening yet
        }

        if (deadline.Elapsed > TimeSpan.FromSeconds(60))
        {
            throw new TimeoutException($"the gateway did not forward a completion to the worker within 60 s; last answer: {last}");
        }

        await Task.Delay(100);
    }
}

static List<double> Zip(List<double> a, List<double> b, Func<double, double, double> f) => [.. a.Select((x, i) => f(x, b[i]))];

static string Summary(List<double> values, string format, string unit)
{
    var sorted = values.Order().ToArray();
    var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    var text = median.ToString(format, CultureInfo.InvariantCulture) + unit;
    return sorted.Length == 1 ? text
        : $"{text} [{sorted[0].ToString(format, CultureInfo.InvariantCulture)}–{sorted[^1].ToString(format, CultureInfo.InvariantCulture)}]";
}

// Runs count sequences, concurrency at a time; CPU time is this process's (loop, server and client), plus the
// gateway process's on the gateway path.
async Task<Run> RunAsync(int concurrency, int count, Func<int, CancellationToken, Task<Sample>> one, Process? alsoCount = null, string loopThread = "")
{
    var next = -1;
    var samples = new Sample[count];
    var cpuBefore = CpuTime(alsoCount);
    var loopBefore = ThreadTime(loopThread);
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
    var cpu = CpuTime(alsoCount) - cpuBefore;
    var loopAfter = ThreadTime(loopThread);
    var tokens = samples.Sum(s => s.Tokens);
    return new Run(samples, wall, tokens / wall, cpu.TotalMicroseconds / tokens,
        (loopAfter.RunNs - loopBefore.RunNs) / 1000.0 / tokens, (loopAfter.WaitNs - loopBefore.WaitNs) / 1000.0 / tokens);
}

// The generation loop thread's time on a CPU and runnable-but-waiting for one (Linux schedstat, nanoseconds): the loop's
// own cost per token, apart from the time foreign load took from it.
static (long RunNs, long WaitNs) ThreadTime(string name)
{
    long run = 0, wait = 0;
    if (name.Length == 0 || !Directory.Exists("/proc/self/task"))
    {
        return (0, 0);
    }

    foreach (var task in Directory.GetDirectories("/proc/self/task"))
    {
        try
        {
            if (File.ReadAllText(Path.Combine(task, "comm")).Trim() == name)
            {
                var fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                run += long.Parse(fields[0], CultureInfo.InvariantCulture);
                wait += long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
            // the thread ended
        }
    }

    return (run, wait);
}

static TimeSpan CpuTime(Process? other)
{
    using var self = Process.GetCurrentProcess();
    var total = self.TotalProcessorTime;
    if (other is not null)
    {
        other.Refresh();
        total += other.TotalProcessorTime;
    }

    return total;
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

static async Task<Sample> HttpAsync(HttpClient http, string prompt, int output, bool stream, CancellationToken cancellationToken)
{
    var start = Stopwatch.GetTimestamp();
    if (!stream)
    {
        // One JSON answer per sequence: no per-token network writes. TTFT is not seen by the client (reported as 0).
        using var whole = await http.PostAsJsonAsync("v1/completions", new { model = "tiny", prompt, max_tokens = output, temperature = 0 }, cancellationToken);
        whole.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await whole.Content.ReadAsStreamAsync(cancellationToken));
        var count = json.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        var end = Stopwatch.GetTimestamp();
        return Sample.From(start, start, end, count);
    }

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

static void Report(int round, string path, int concurrency, Run run, string steps)
{
    var ttft = run.Samples.Select(s => s.TtftMs).Order().ToArray();
    var tpot = run.Samples.Select(s => s.TpotMs).Order().ToArray();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {round} | {path} | {concurrency} | {run.TokensPerSecond:0.0} | {run.CpuMicrosecondsPerToken:0.0} | {run.LoopBusyMicrosecondsPerToken:0.0} | {run.LoopWaitMicrosecondsPerToken:0.0} | {run.WallSeconds:0.000} | {P(ttft, 0.50):0.00} | {P(ttft, 0.99):0.00} | {P(tpot, 0.50):0.000} | {P(tpot, 0.99):0.000} | {steps} |"));
}

static double P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

internal readonly record struct Sample(double TtftMs, double TpotMs, int Tokens)
{
    public static Sample From(long start, long first, long end, int tokens) => new(
        Stopwatch.GetElapsedTime(start, first).TotalMilliseconds,
        tokens > 1 ? Stopwatch.GetElapsedTime(first, end).TotalMilliseconds / (tokens - 1) : 0,
        tokens);
}

internal sealed record Run(Sample[] Samples, double WallSeconds, double TokensPerSecond, double CpuMicrosecondsPerToken, double LoopBusyMicrosecondsPerToken, double LoopWaitMicrosecondsPerToken);
