using System.Globalization;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.TestCommon;

namespace BenchPlatform.InferenceWorker.Tests.Batching;

[Collection(InferenceCollection.Name)]
public sealed class DynamicBatchingTests(PostgresFixture postgres, RedisFixture redis)
{
    private static string MlpRequest(int seed, int rows)
    {
        var random = new Random(seed);
        var data = string.Join(",", Enumerable.Range(0, rows * SampleModels.MlpInputs).Select(_ => (random.NextDouble() * 2 - 1).ToString("R", CultureInfo.InvariantCulture)));
        return $$$"""{"inputs":[{"name":"x","shape":[{{{rows}}},{{{SampleModels.MlpInputs}}}],"datatype":"FP32","data":[{{{data}}}]}],"parameters":{"cache":false}}""";
    }

    [Fact]
    public async Task Batching_ConcurrentRequests_AreMergedAndEqualUnbatchedRunsElementForElement()
    {
        await using var batched = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString,
            new Dictionary<string, string?> { ["Inference:MaxQueueDelayMicroseconds"] = "20000" });
        await using var unbatched = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), null,
            new Dictionary<string, string?> { ["Inference:DynamicBatching"] = "false" });
        await batched.UploadOkAsync("mlp", SampleModels.Mlp());
        await unbatched.UploadOkAsync("mlp", SampleModels.Mlp());
        var requests = Enumerable.Range(0, 24).Select(i => MlpRequest(i, 1 + (i % 3))).ToArray();

        var merged = await Task.WhenAll(requests.Select(r => batched.InferAsync("mlp", r)));
        var alone = new List<InferCall>();
        foreach (var request in requests)
        {
            alone.Add(await unbatched.InferAsync("mlp", request));
        }

        Assert.All(merged, m => Assert.Equal(200, m.Status));
        Assert.Contains(merged, m => m.Json.GetProperty("parameters").GetProperty("batch_size").GetInt32() > 3);
        Assert.All(alone, a => Assert.Equal(a.Output("probabilities").GetProperty("shape")[0].GetInt32(),
            a.Json.GetProperty("parameters").GetProperty("batch_size").GetInt32()));
        for (var i = 0; i < requests.Length; i++)
        {
            Assert.Equal(alone[i].Output("probabilities").GetProperty("shape").GetRawText(), merged[i].Output("probabilities").GetProperty("shape").GetRawText());
            Assert.Equal(alone[i].Floats("probabilities"), merged[i].Floats("probabilities"));
        }

        Assert.All(merged, m => Assert.Matches(@"^queue;dur=[\d.]+, cache;desc=bypass, infer;dur=[\d.]+", m.ServerTiming));
    }

    [Fact]
    public async Task Batching_RequestsWithDifferentNonBatchDims_RunInSeparateGroupsWithCorrectResults()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString,
            new Dictionary<string, string?> { ["Inference:MaxQueueDelayMicroseconds"] = "20000" });
        await host.UploadOkAsync("dyn", SampleModels.Dynamic());

        var calls = await Task.WhenAll(Enumerable.Range(1, 12).Select(n =>
        {
            var data = string.Join(",", Enumerable.Range(1, n));
            return host.InferAsync("dyn", $$$"""{"inputs":[{"name":"x","shape":[1,{{{n}}}],"datatype":"FP32","data":[{{{data}}}]}],"parameters":{"cache":false}}""");
        }));

        for (var n = 1; n <= 12; n++)
        {
            var call = calls[n - 1];
            Assert.Equal(200, call.Status);
            Assert.Equal(Enumerable.Range(1, n).Select(v => 2f * v), call.Floats("scaled"));
            Assert.Equal([n * (n + 1) / 2f], call.Floats("total"));
        }
    }

    [Fact]
    public async Task Batching_MaxBatchSizeOfTheModel_BoundsEveryMergedRun()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString,
            new Dictionary<string, string?> { ["Inference:MaxQueueDelayMicroseconds"] = "20000" });
        await host.UploadOkAsync("mlp", SampleModels.Mlp(), "&max_batch_size=4");

        var calls = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => host.InferAsync("mlp", MlpRequest(i, 1 + (i % 2)))));

        Assert.All(calls, c =>
        {
            Assert.Equal(200, c.Status);
            Assert.InRange(c.Json.GetProperty("parameters").GetProperty("batch_size").GetInt32(), 1, 4);
        });
        var sums = calls.Select(c => c.Floats("probabilities").Sum()).ToArray();
        Assert.All(calls.Zip(sums), pair => Assert.Equal(pair.First.Output("probabilities").GetProperty("shape")[0].GetInt32(), pair.Second, 3));
    }
}
