using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using BenchPlatform.InferenceWorker.Llm;
using BenchPlatform.InferenceWorker.Llm.Gguf;
using BenchPlatform.InferenceWorker.Llm.Proof;
using Microsoft.Extensions.Logging.Abstractions;

// The proof Llama in both engines, in process, through the same continuous-batching loop: ONNX Runtime on the ONNX
// export, llama.cpp (LLamaSharp) on the GGUF. Closed loop of N sequences at concurrency 1, 8 and 32, engines alternating
// within each round; tokens/s, TTFT p50/p99 (enqueue to first token, the loop's own timestamps) and the batching
// speedup over sequential (concurrency 1) in the same engine and round.
//
//   dotnet bench/llm-throughput/bin/Release/net10.0/LlmBench.dll engines [sequences=128] [prompt=32] [output=64] [threads=0] [rounds=3]
internal static class EngineComparison
{
    private static readonly int[] Levels = [1, 8, 32];

    public static async Task RunAsync(string[] args)
    {
        var sequences = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 128;
        var promptLength = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
        var output = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
        var threads = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
        var rounds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;
        var shape = new TinyLlamaShape();
        var folder = Path.Combine(Path.GetTempPath(), "llm-engines-" + Guid.NewGuid().ToString("N"));
        var gguf = Path.Combine(folder, "tiny-llama.gguf");
        TinyLlamaBuilder.WriteGguf(gguf, shape);
        TinyLlamaBuilder.WriteOnnx(Path.Combine(folder, "onnx"), shape);
        try
        {
            // Byte tokens of digits and letters: a fixed prompt, the same ids in both engines.
            var prompt = Enumerable.Range(0, promptLength).Select(i => 48 + i * 7 % 43).ToArray();
            var options = new LlmOptions { MaxBatch = Levels[^1], IntraOpThreads = threads, KvBudgetTokens = 1 << 16 };
            var llama = LlamaDecoder.Load(gguf, GgufHeader.Read(gguf), Levels[^1], Levels[^1] * (promptLength + output), threads);
            using var onnxEngine = new GenerationEngine("onnx", new DecoderSession(Path.Combine(folder, "onnx", "model.onnx"), threads), [], options, TimeProvider.System, NullLogger.Instance);
            using var llamaEngine = new GenerationEngine("gguf", llama, [], options, TimeProvider.System, NullLogger.Instance, llama.ContextTokens);
            (string Name, GenerationEngine Engine)[] engines = [("onnxruntime (ONNX export)", onnxEngine), ("llama.cpp (GGUF)", llamaEngine)];

            Console.WriteLine($"Proof Llama ({shape.Layers} layers, hidden {shape.Hidden}, {shape.Heads} heads / {shape.KvHeads} kv heads, ffn {shape.FeedForward}, vocab {TinyLlamaBuilder.Vocabulary().Count}), in process, same loop;");
            Console.WriteLine($"{sequences} sequences per level, prompt {promptLength} tokens, output {output} tokens, greedy; threads {threads} (0 = engine default); {Environment.ProcessorCount} cores; {rounds} round(s)");
            Console.WriteLine($"load average before: {LoadAverage()}");
            foreach (var (_, engine) in engines)
            {
                // Warm: tiered JIT, the engines' buffers.
                await ClosedLoopAsync(engine, 1, 4, prompt, output);
                await ClosedLoopAsync(engine, 32, 64, prompt, output);
            }

            Console.WriteLine();
            Console.WriteLine("| round | engine | concurrency | tokens/s | TTFT p50 ms | TTFT p99 ms | vs sequential |");
            Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
            var results = new Dictionary<(string, int), List<(double TokensPerSecond, double P50, double P99, double Speedup)>>();
            for (var round = 1; round <= rounds; round++)
            {
                var order = round % 2 == 1 ? engines : [.. engines.Reverse()];
                foreach (var (name, engine) in order)
                {
                    double sequential = 0;
                    foreach (var level in Levels)
                    {
                        var (tokensPerSecond, ttft) = await ClosedLoopAsync(engine, level, sequences, prompt, output);
                        sequential = level == 1 ? tokensPerSecond : sequential;
                        var entry = (tokensPerSecond, P(ttft, 0.5), P(ttft, 0.99), tokensPerSecond / sequential);
                        (results.TryGetValue((name, level), out var list) ? list : results[(name, level)] = []).Add(entry);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"| {round} | {name} | {level} | {entry.tokensPerSecond:0.0} | {entry.Item2:0.00} | {entry.Item3:0.00} | {entry.Item4:0.00}x |"));
                    }
                }
            }

            Console.WriteLine();
            Console.WriteLine($"load average after: {LoadAverage()}");
            Console.WriteLine();
            Console.WriteLine("Summary: median over rounds [min–max]");
            Console.WriteLine();
            Console.WriteLine("| engine | concurrency | tokens/s | TTFT p50 ms | TTFT p99 ms | batching vs sequential |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
            foreach (var (name, _) in engines)
            {
                foreach (var level in Levels)
                {
                    var list = results[(name, level)];
                    Console.WriteLine($"| {name} | {level} | {Summary(list.Select(r => r.TokensPerSecond), "0.0", "")} | {Summary(list.Select(r => r.P50), "0.00", "")} | {Summary(list.Select(r => r.P99), "0.00", "")} | {Summary(list.Select(r => r.Speedup), "0.00", "x")} |");
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(double TokensPerSecond, double[] TtftMs)> ClosedLoopAsync(GenerationEngine engine, int concurrency, int count, int[] prompt, int output)
    {
        var next = -1;
        var ttft = new double[count];
        var tokens = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var (first, produced) = await OneAsync(engine, prompt, output);
                ttft[i] = first;
                Interlocked.Add(ref tokens, produced);
            }
        }));
        Array.Sort(ttft);
        return (tokens / clock.Elapsed.TotalSeconds, ttft);
    }

    private static async Task<(double TtftMs, int Tokens)> OneAsync(GenerationEngine engine, int[] prompt, int output)
    {
        var channel = Channel.CreateUnbounded<GeneratedToken>(new UnboundedChannelOptions { SingleReader = true });
        var sequence = new Sequence(0, prompt, output, new SamplingParameters(0, 1, 0, 1, null), channel.Writer, CancellationToken.None);
        if (engine.Submit(sequence) != SubmitResult.Accepted)
        {
            throw new InvalidOperationException("not admitted");
        }

        var tokens = 0;
        while (true)
        {
            var e = await channel.Reader.ReadAsync();
            if (e.Error is not null)
            {
                throw e.Error;
            }

            tokens += e.TokenId >= 0 ? 1 : 0;
            if (e.Finish is not null)
            {
                return (Stopwatch.GetElapsedTime(sequence.EnqueuedAt, sequence.FirstTokenAt).TotalMilliseconds, tokens);
            }
        }
    }

    private static double P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private static string Summary(IEnumerable<double> values, string format, string unit)
    {
        var sorted = values.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        var text = median.ToString(format, CultureInfo.InvariantCulture) + unit;
        return sorted.Length == 1 ? text : $"{text} [{sorted[0].ToString(format, CultureInfo.InvariantCulture)}–{sorted[^1].ToString(format, CultureInfo.InvariantCulture)}]";
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
