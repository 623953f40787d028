using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.RegularExpressions;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.InferenceWorker.Sessions;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.TestCommon;
using Microsoft.Extensions.DependencyInjection;

namespace BenchPlatform.InferenceWorker.Tests.Batching;

/// <summary>
/// The worker under more work than it can run: the excess refused at once with 503 and Retry-After, queued work whose
/// caller left or whose deadline passed dropped unrun, request bytes bounded, merged runs bounded by their measured cost.
/// A slow request is the wide MLP (784→4096→4096→10) on many rows, a few milliseconds of compute per row.
/// </summary>
[Collection(InferenceCollection.Name)]
public sealed class AdmissionTests(PostgresFixture postgres, RedisFixture redis)
{
    private const string Model = "wide";

    // About 20 million multiply-adds a row: a thousand rows run for hundreds of milliseconds (85 ms for 256 rows measured).
    private static readonly string LongRun = Rows(1024, seed: 9);

    private static string Rows(int rows, int seed = 1)
    {
        var random = new Random(seed);
        var data = string.Join(",", Enumerable.Range(0, rows * SampleModels.MlpInputs)
            .Select(_ => (random.NextDouble() * 2 - 1).ToString("0.###", CultureInfo.InvariantCulture)));
        return $$$"""{"inputs":[{"name":"x","shape":[{{{rows}}},{{{SampleModels.MlpInputs}}}],"datatype":"FP32","data":[{{{data}}}]}],"parameters":{"cache":false}}""";
    }

    private async Task<WorkerHost> StartAsync(params (string Key, string Value)[] settings)
    {
        var config = new Dictionary<string, string?> { ["Inference:DynamicBatching"] = "false" };
        foreach (var (key, value) in settings)
        {
            config[key] = value;
        }

        var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString, config);
        await host.UploadOkAsync(Model, SampleModels.WideMlp());
        return host;
    }

    private static LoadedModel Loaded(WorkerHost host) =>
        host.Services.GetRequiredService<ModelSessions>().Loaded.Single(m => m.Record.Name == Model);

    /// <summary>Sends a long run and returns once it is running (nothing queued behind it yet).</summary>
    private static async Task<Task<InferCall>> StartLongRunAsync(WorkerHost host, string body)
    {
        var call = host.InferAsync(Model, body);
        await Wait.UntilAsync(() => Task.FromResult(call.IsCompleted || Loaded(host).Running == 1), TimeSpan.FromSeconds(30),
            "the long run did not start");
        Assert.False(call.IsCompleted, "the long run finished before the test could queue behind it; make it longer");
        return call;
    }

    [Fact]
    public async Task Overload_ManyMoreRequestsThanTheQueueBoundHolds_RefusesTheExcessAtOnceAndServesTheRest()
    {
        await using var host = await StartAsync(("Inference:MaxQueueWaitMilliseconds", "200"));
        // 40 requests of 64 rows are 2,560 rows of work for one runner (about 850 ms at 85 ms per 256 rows): several
        // times the 200 ms bound on any machine. With 8 rows each, a fast machine ran all 40 inside it and refused none.
        var body = Rows(64);
        var warm = await host.InferAsync(Model, body);
        Assert.Equal(200, warm.Status);

        var calls = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => host.InferAsync(Model, body)));

        Assert.All(calls, c => Assert.True(c.Status is 200 or 503, $"{c.Status}: {c.Body}"));
        var served = calls.Where(c => c.Status == 200).ToList();
        var refused = calls.Where(c => c.Status == 503).ToList();
        Assert.NotEmpty(served);
        Assert.NotEmpty(refused);
        Assert.All(refused, r =>
        {
            Assert.Equal("application/problem+json", r.ContentType);
            Assert.Equal("Overloaded", r.Json.GetProperty("title").GetString());
            Assert.Contains("Inference:MaxQueueWaitMilliseconds", r.Detail, StringComparison.Ordinal);
            Assert.True(int.Parse(r.RetryAfter!, CultureInfo.InvariantCulture) >= 1, r.RetryAfter);
        });

        // No request that was served waited in the queue past the bound (200 ms), whatever the machine's speed: the rest
        // were refused, at admission or when a runner reached them. The margin is the step from the queue to the run.
        Assert.All(served, s =>
        {
            var queued = double.Parse(Regex.Match(s.ServerTiming, @"queue;dur=([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(queued <= 300, $"a served request waited {queued} ms in the queue: {s.ServerTiming}");
        });
        Assert.Equal(0, Loaded(host).Queued);
    }

    [Fact]
    public async Task Deadline_PassesWhileQueued_RequestIsDroppedWith504AndNeverRun()
    {
        await using var host = await StartAsync();
        using var shed = new ShedRecorder();
        Assert.Equal(200, (await host.InferAsync(Model, Rows(1))).Status);
        var longRun = await StartLongRunAsync(host, LongRun);

        var late = await host.InferAsync(Model, Rows(1, seed: 2), requestTimeout: "0.05");

        Assert.Equal(504, late.Status);
        Assert.Equal("Deadline exceeded", late.Json.GetProperty("title").GetString());
        Assert.Contains("it was not run", late.Detail, StringComparison.Ordinal);
        Assert.Equal(200, (await longRun).Status);
        Assert.Equal(1, shed.Count("deadline"));
    }

    [Fact]
    public async Task CallerLeaves_WhileQueued_RequestIsDroppedUnrunAndTheQueueEmpties()
    {
        await using var host = await StartAsync();
        using var shed = new ShedRecorder();
        Assert.Equal(200, (await host.InferAsync(Model, Rows(1))).Status);
        var longRun = await StartLongRunAsync(host, LongRun);
        using var leave = new CancellationTokenSource();

        var abandoned = host.InferAsync(Model, Rows(1, seed: 3), cancellationToken: leave.Token);
        await Wait.UntilAsync(() => Task.FromResult(Loaded(host).Queued == 1), TimeSpan.FromSeconds(10), "the second request was not queued");
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        Assert.Equal(200, (await longRun).Status);
        await Wait.UntilAsync(() => Task.FromResult(shed.Count("abandoned") == 1), TimeSpan.FromSeconds(10),
            "the abandoned request was not dropped");
        Assert.Equal(0, Loaded(host).Queued);
        Assert.Equal(0, Loaded(host).Running);
    }

    [Fact]
    public async Task RequestBytes_OverTheWorkersBudget_AreRefusedWith503BeforeTheBodyIsRead()
    {
        await using var host = await StartAsync(("Inference:MaxRequestBytes", (8 << 20).ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(200, (await host.InferAsync(Model, Rows(1))).Status);
        Assert.InRange(LongRun.Length, 4 << 20, 8 << 20);
        var longRun = await StartLongRunAsync(host, LongRun);

        var refused = await host.InferAsync(Model, LongRun);

        Assert.Equal(503, refused.Status);
        Assert.Equal("Overloaded", refused.Json.GetProperty("title").GetString());
        Assert.Contains("Inference:MaxRequestBytes", refused.Detail, StringComparison.Ordinal);
        Assert.Equal("1", refused.RetryAfter);
        Assert.Equal(200, (await longRun).Status);
        Assert.Equal(200, (await host.InferAsync(Model, LongRun)).Status);
    }

    [Fact]
    public async Task Batching_LatencyBudget_StopsABatchAtTheRowsWhoseMeasuredCostFits()
    {
        static async Task<int> LargestBatchAsync(WorkerHost host)
        {
            // Two runs teach the batcher the model's cost (a session's first run is not counted).
            Assert.Equal(200, (await host.InferAsync(Model, Rows(2))).Status);
            Assert.Equal(200, (await host.InferAsync(Model, Rows(2))).Status);
            var calls = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => host.InferAsync(Model, Rows(1, seed: i))));
            Assert.All(calls, c => Assert.Equal(200, c.Status));
            return calls.Max(c => c.Json.GetProperty("parameters").GetProperty("batch_size").GetInt32());
        }

        // One row of the wide MLP costs milliseconds: a 1 ms budget fits one row; a 10 s budget fits every row waiting.
        var merging = new[] { ("Inference:DynamicBatching", "true"), ("Inference:MaxQueueDelayMicroseconds", "50000") };
        await using (var tight = await StartAsync([.. merging, ("Inference:BatchLatencyBudgetMilliseconds", "1")]))
        {
            Assert.Equal(1, await LargestBatchAsync(tight));
        }

        await using var loose = await StartAsync([.. merging, ("Inference:BatchLatencyBudgetMilliseconds", "10000")]);
        Assert.True(await LargestBatchAsync(loose) > 1, "with room in the budget, concurrent requests were not merged");
    }

    /// <summary>Counts the worker's <c>inference.shed</c> measurements by reason.</summary>
    private sealed class ShedRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, int> _counts = new();

        public ShedRecorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "inference.shed")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                string? model = null, reason = null;
                foreach (var tag in tags)
                {
                    model = tag.Key == "model" ? tag.Value as string : model;
                    reason = tag.Key == "reason" ? tag.Value as string : reason;
                }

                if (model == Model && reason is not null)
                {
                    _counts.AddOrUpdate(reason, (int)value, (_, count) => count + (int)value);
                }
            });
            _listener.Start();
        }

        public int Count(string reason) => _counts.GetValueOrDefault(reason);

        public void Dispose() => _listener.Dispose();
    }
}
