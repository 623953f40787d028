// In-process ceilings of the infer path on this machine, so the HTTP figures can be read against them:
// ONNX Runtime Run alone (the sample MLP at batch 1/1000, melspectrogram at batch 1/8/64, intra-op threads 1 vs 2,
// two runs at once vs one merged run), JSON request decoding alone (old and fast reader), and response encoding.
//
//   dotnet run -c Release --project bench/inference-ceiling -- [seconds per cell, default 2]
//   dotnet run -c Release --project bench/inference-ceiling -- write-wide-mlp PATH   (writes the wide MLP the HTTP bench uploads)
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.Protocol.Inference;
using Microsoft.ML.OnnxRuntime;

if (args is ["write-wide-mlp", var path])
{
    // The benchmark script uploads this model to measure batching where compute dominates.
    File.WriteAllBytes(path, SampleModels.WideMlp());
    return;
}

if (args is ["decode", var file, ..])
{
    // Decode one request body file (the bench's bodies) on the general and the fast path: per-request cost.
    var bytes = File.ReadAllBytes(file);
    int? header = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : null;
    var slow = Time(() => InferBodyReader.Decode(bytes, header, fastData: false).Dispose(), 1);
    var quick = Time(() => InferBodyReader.Decode(bytes, header).Dispose(), 1);
    Console.WriteLine(Line($"{Path.GetFileName(file)} ({bytes.Length} bytes): general {slow * 1000:0.0} us, fast {quick * 1000:0.0} us"));
    return;
}

var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 2;
Console.WriteLine($"# {Environment.ProcessorCount} cores; {seconds} s per cell; load average {File.ReadAllText("/proc/loadavg").Trim()}");

var mlpBytes = SampleModels.Mlp();
var melPath = Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/models/melspectrogram.onnx");

foreach (var threads in (int[])[1, 2])
{
    using var session = Session(mlpBytes, threads);
    foreach (var rows in (int[])[1, 1000])
    {
        var input = Random(rows * SampleModels.MlpInputs, 7);
        var perRun = TimeRuns(session, "x", input, [rows, SampleModels.MlpInputs], seconds);
        Console.WriteLine(Line($"ort mlp intra-op {threads} batch {rows}: {perRun * 1000:0.0} us/run, {rows / perRun * 1000:0} predictions/s"));
    }
}

if (File.Exists(melPath))
{
    var melBytes = File.ReadAllBytes(melPath);
    foreach (var threads in (int[])[1, 2])
    {
        using var session = Session(melBytes, threads);
        foreach (var rows in (int[])[1, 8, 64])
        {
            var input = Random(rows * 16000, 3);
            var perRun = TimeRuns(session, "input", input, [rows, 16000], seconds);
            Console.WriteLine(Line($"ort mel intra-op {threads} batch {rows}: {perRun:0.000} ms/run, {rows / perRun * 1000:0} predictions/s"));
        }
    }

    // 64 clients' worth of single rows: two runs at once (one per core, intra-op 1) vs one merged run.
    using (var one = Session(melBytes, 1))
    {
        var input = Random(16000, 3);
        var parallel = TimeParallel(one, "input", input, [1, 16000], 2, seconds);
        Console.WriteLine(Line($"ort mel intra-op 1, 2 batch-1 runs at once: {2 / parallel * 1000:0} predictions/s"));
    }
}
else
{
    Console.WriteLine($"(no {melPath}: melspectrogram figures skipped)");
}

using (var one = Session(mlpBytes, 1))
{
    var input = Random(SampleModels.MlpInputs, 7);
    var parallel = TimeParallel(one, "x", input, [1, SampleModels.MlpInputs], 2, seconds);
    Console.WriteLine(Line($"ort mlp intra-op 1, 2 batch-1 runs at once: {2 / parallel * 1000:0} predictions/s"));
}

foreach (var rows in (int[])[1, 1000])
{
    var body = MlpBody(rows);
    var general = Time(() => InferBodyReader.Decode(body, null, fastData: false).Dispose(), seconds);
    Console.WriteLine(Line($"json decode (general path) mlp batch {rows} ({body.Length} bytes): {general:0.000} ms, {rows / general * 1000:0} predictions/s, {body.Length / general / 1000:0.0} MB/s"));
    var fast = Time(() => InferBodyReader.Decode(body).Dispose(), seconds);
    Console.WriteLine(Line($"json decode (fast path) mlp batch {rows}: {fast:0.000} ms, {rows / fast * 1000:0} predictions/s, {body.Length / fast / 1000:0.0} MB/s ({general / fast:0.00}x)"));
    var binary = BinaryBody(rows, out var jsonLength);
    var perBinary = Time(() => InferBodyReader.Decode(binary, jsonLength).Dispose(), seconds);
    Console.WriteLine(Line($"binary decode mlp batch {rows} ({binary.Length} bytes): {perBinary:0.000} ms, {rows / perBinary * 1000:0} predictions/s"));
    var skip = Time(() =>
    {
        var reader = new Utf8JsonReader(body);
        reader.Read();
        reader.Skip();
    }, seconds);
    Console.WriteLine(Line($"Utf8JsonReader tokenize only mlp batch {rows}: {skip:0.000} ms, {body.Length / skip / 1000:0.0} MB/s"));
}

// A wide MLP (784→4096→4096→10, 20 M weights, 80 MB): batch 1 streams every weight per row, a merged batch once.
using (var wide = Session(SampleModels.WideMlp(), 2))
{
    foreach (var rows in (int[])[1, 8, 64])
    {
        var input = Random(rows * SampleModels.MlpInputs, 7);
        var perRun = TimeRuns(wide, "x", input, [rows, SampleModels.MlpInputs], seconds);
        Console.WriteLine(Line($"ort wide-mlp intra-op 2 batch {rows}: {perRun:0.000} ms/run, {rows / perRun * 1000:0} predictions/s"));
    }
}

static string Line(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

static InferenceSession Session(byte[] model, int threads)
{
    using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
    options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
    options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
    return new InferenceSession(model, options);
}

static float[] Random(int count, int seed)
{
    var random = new Random(seed);
    var data = new float[count];
    for (var i = 0; i < count; i++)
    {
        data[i] = MathF.Round((float)(random.NextDouble() * 2 - 1), 4);
    }

    return data;
}

// Milliseconds per run.
static double TimeRuns(InferenceSession session, string name, float[] input, long[] shape, double seconds)
{
    using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
    using var runOptions = new RunOptions();
    return Time(() =>
    {
        using var outputs = session.Run(runOptions, [name], [value], session.OutputNames);
    }, seconds);
}

// Milliseconds per round of `parallelism` concurrent runs.
static double TimeParallel(InferenceSession session, string name, float[] input, long[] shape, int parallelism, double seconds)
{
    var runs = new long[parallelism];
    var clock = Stopwatch.StartNew();
    var workers = new Thread[parallelism];
    for (var p = 0; p < parallelism; p++)
    {
        var index = p;
        workers[p] = new Thread(() =>
        {
            using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
            using var runOptions = new RunOptions();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                using var outputs = session.Run(runOptions, [name], [value], session.OutputNames);
                runs[index]++;
            }
        });
        workers[p].Start();
    }

    foreach (var worker in workers)
    {
        worker.Join();
    }

    return clock.Elapsed.TotalMilliseconds / runs.Sum() * parallelism;
}

static double Time(Action action, double seconds)
{
    for (var i = 0; i < 3; i++)
    {
        action();
    }

    var n = 0;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        action();
        n++;
    }

    return clock.Elapsed.TotalMilliseconds / n;
}

static byte[] MlpBody(int rows)
{
    var random = new Random(7);
    var text = new StringBuilder();
    text.Append(CultureInfo.InvariantCulture, $"{{\"inputs\":[{{\"name\":\"x\",\"shape\":[{rows},{SampleModels.MlpInputs}],\"datatype\":\"FP32\",\"data\":[");
    for (var i = 0; i < rows * SampleModels.MlpInputs; i++)
    {
        if (i > 0)
        {
            text.Append(", ");
        }

        text.Append(Math.Round(random.NextDouble() * 2 - 1, 4).ToString(CultureInfo.InvariantCulture));
    }

    text.Append("]}],\"parameters\":{\"cache\":false}}");
    return Encoding.UTF8.GetBytes(text.ToString());
}

static byte[] BinaryBody(int rows, out int jsonLength)
{
    var header = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"{{\"inputs\":[{{\"name\":\"x\",\"shape\":[{rows},{SampleModels.MlpInputs}],\"datatype\":\"FP32\",\"parameters\":{{\"binary_data_size\":{rows * SampleModels.MlpInputs * 4}}}}}],\"parameters\":{{\"cache\":false}}}}"));
    var data = Random(rows * SampleModels.MlpInputs, 7);
    var body = new byte[header.Length + (data.Length * 4)];
    header.CopyTo(body, 0);
    System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()).CopyTo(body.AsSpan(header.Length));
    jsonLength = header.Length;
    return body;
}
