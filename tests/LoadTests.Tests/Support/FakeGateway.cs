using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using AspNetHttp = Microsoft.AspNetCore.Http;

namespace BenchPlatform.LoadTests.Tests.Support;

/// <summary>
/// The public API of docs/api.md as far as the scenarios use it, on a real socket: models, infer (validating shapes, marking
/// cold starts in Server-Timing when no replica is ready), scale, blocks, completions (streamed and whole). Not the gateway:
/// a stand-in that lets the scenarios be checked against the contract while the real stack is built.
/// </summary>
public sealed class FakeGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _scaleLock = new();
    private int _blocks;
    private Task? _start;
    private int _warmupCalls;

    private FakeGateway(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public int Ready { get; set; } = 1;

    public int Min { get; set; } = 1;

    public int Max { get; set; } = 4;

    /// <summary>Every <c>PUT /v1/scale/inference</c> body as (min, max), in order.</summary>
    public ConcurrentQueue<(int Min, int Max)> ScaleCalls { get; } = new();

    /// <summary>Infer bodies that broke the model's contract (the scenario built a wrong request).</summary>
    public ConcurrentQueue<string> BadRequests { get; } = new();

    public ConcurrentDictionary<string, int> Uploaded { get; } = new();

    public ConcurrentQueue<string> Strategies { get; } = new();

    /// <summary>How many of the next warm-up calls answer 503 with <c>Retry-After: 0</c> (a replica briefly unhealthy).</summary>
    public int WarmupRefusals { get; set; }

    /// <summary>Warm-up calls received, refused ones included.</summary>
    public int WarmupCalls => Volatile.Read(ref _warmupCalls);

    public static async Task<FakeGateway> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeGateway(app);
        app.MapGet("/v1/models", () => AspNetHttp.Results.Json(new
        {
            @object = "list",
            data = new object[] { new { id = "mlp", @object = "model", kind = "onnx" }, new { id = "tiny-llm", @object = "model", kind = "llm" } },
        }));
        app.MapGet("/v2/models/{name}", (string name) => name switch
        {
            "mlp" => AspNetHttp.Results.Json(new { name, inputs = new[] { new { name = "x", datatype = "FP32", shape = new long[] { -1, 4 } } } }),
            "lt-melspectrogram" when fake.Uploaded.ContainsKey(name) => AspNetHttp.Results.Json(new { name, inputs = new[] { new { name = "input", datatype = "FP32", shape = new long[] { -1, -1 } } } }),
            _ => AspNetHttp.Results.Problem(statusCode: 404, detail: $"model '{name}' does not exist"),
        });
        app.MapPost("/v1/models", async (HttpContext context, string name) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            fake.Uploaded[name] = (int)buffer.Length;
            return AspNetHttp.Results.Json(new { name, version = 1, kind = "onnx" }, statusCode: 201);
        });
        app.MapPost("/v1/models/{name}/warmup", (string name, HttpContext context) =>
        {
            if (Interlocked.Increment(ref fake._warmupCalls) <= fake.WarmupRefusals)
            {
                context.Response.Headers.RetryAfter = "0";
                return AspNetHttp.Results.Problem(detail: "No replica of 'inference' is healthy right now; retry after 0 s.", statusCode: 503);
            }

            return AspNetHttp.Results.Json(new { load_ms = 1.0, first_run_ms = 1.0, optimized_cache = "hit" });
        });
        app.MapPost("/v2/models/{name}/infer", async (HttpContext context, string name) =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var input = body.RootElement.GetProperty("inputs")[0];
            var shape = input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var count = input.GetProperty("data").GetArrayLength();
            var expected = name == "mlp" ? shape.Length == 2 && shape[1] == 4 : shape.Length == 2;
            if (!expected || count != shape.Aggregate(1L, (a, b) => a * b) || body.RootElement.GetProperty("parameters").GetProperty("cache").GetBoolean())
            {
                fake.BadRequests.Enqueue(body.RootElement.GetRawText());
                return AspNetHttp.Results.Problem(statusCode: 400, detail: "input 'x' has the wrong shape");
            }

            var timing = "gateway;dur=0.1, queue;dur=0.0, infer;dur=0.2";
            if (fake.Max == 0)
            {
                // Scaled to zero by an operator: refused at once, as the gateway does.
                context.Response.Headers.RetryAfter = "1";
                return AspNetHttp.Results.Problem(statusCode: 503, title: "Scaled to zero", detail: "'inference' is scaled to zero by an operator (max 0).");
            }

            if (fake.Ready == 0)
            {
                // Held until the one replica start that the first held request triggered completes.
                Task start;
                lock (fake._scaleLock)
                {
                    start = fake._start ??= StartReplicaAsync(fake);
                }

                await start;
                timing = "gateway;dur=0.1, cold;dur=150, queue;dur=0.0, infer;dur=0.2";
            }

            context.Response.Headers["Server-Timing"] = timing;
            return AspNetHttp.Results.Json(new { model_name = name, outputs = new[] { new { name = "y", shape = new[] { shape[0], 1L }, datatype = "FP32", data = new float[shape[0]] } } });
        });
        app.MapGet("/v1/scale", () => AspNetHttp.Results.Json(new { inference = new { ready = fake.Ready, desired = fake.Ready, min = fake.Min, max = fake.Max, inflight = 0 } }));
        app.MapPut("/v1/scale/inference", async (HttpContext context) =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var min = body.RootElement.GetProperty("min").GetInt32();
            var max = body.RootElement.GetProperty("max").GetInt32();
            if (max < 0 || min < 0 || min > max)
            {
                return AspNetHttp.Results.Problem(statusCode: 400, detail: "Give 'min' and 'max', whole numbers of replicas with 0 <= min <= max.");
            }

            fake.ScaleCalls.Enqueue((min, max));
            lock (fake._scaleLock)
            {
                (fake.Min, fake.Max) = (min, max);
            }

            if (max == 0)
            {
                // max 0 drains at once; min 0 alone would wait out the scale-down window, which this stand-in never does.
                // Replicas drain a moment after the bounds change, so the scenario must wait for GET /v1/scale to say 0.
                _ = Task.Delay(200).ContinueWith(_ => fake.Ready = 0, TaskScheduler.Default);
            }
            else if (fake.Ready < min)
            {
                fake.Ready = min;
            }

            return AspNetHttp.Results.Json(new { inference = new { ready = fake.Ready, min, max } });
        });
        app.MapPost("/v1/blocks/run", async (HttpContext context) =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var n = body.RootElement.GetProperty("inputs").GetProperty("n").GetInt64();
            var first = Interlocked.Increment(ref fake._blocks) <= 2;
            return AspNetHttp.Results.Json(new { status = "ok", outputs = new { total = n * (n - 1) / 2 }, stdout = "", stderr = "", duration_ms = 1.0, start = first ? "cold" : "warm" });
        });
        app.MapPost("/v1/completions", async (HttpContext context) =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var root = body.RootElement;
            if (root.TryGetProperty("strategy", out var strategy))
            {
                fake.Strategies.Enqueue(strategy.GetString()!);
            }

            if (!root.GetProperty("stream").GetBoolean())
            {
                await context.Response.WriteAsJsonAsync(new { choices = new[] { new { text = "a b c d e", index = 0 } }, usage = new { prompt_tokens = 3, completion_tokens = 5 } });
                return;
            }

            context.Response.ContentType = "text/event-stream";
            await Task.Delay(20);
            for (var i = 0; i < 5; i++)
            {
                await context.Response.WriteAsync($"data: {{\"choices\":[{{\"text\":\"t{i}\",\"index\":0}}]}}\n\n");
                await context.Response.Body.FlushAsync();
                await Task.Delay(5);
            }

            await context.Response.WriteAsync("data: [DONE]\n\n");
        });
        await app.StartAsync();
        fake.Url = new Uri(app.Urls.First());
        return fake;
    }

    private static async Task StartReplicaAsync(FakeGateway fake)
    {
        await Task.Delay(300);
        lock (fake._scaleLock)
        {
            fake.Ready = 1;
            fake._start = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
