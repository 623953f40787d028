using BenchPlatform.AppHost.Hosting.Servers;
using BenchPlatform.InferenceWorker.Onnx;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.InferenceWorker.Tests.Management;
using BenchPlatform.TestCommon;
using StackExchange.Redis;

namespace BenchPlatform.InferenceWorker.Tests.Caching;

[Collection(InferenceCollection.Name)]
public sealed class PredictionCacheTests(PostgresFixture postgres, RedisFixture redis)
{
    [Fact]
    public async Task Cache_SameInputsSpelledDifferently_SecondIsAHitWithTheSameOutputs()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        await host.UploadOkAsync("linear", SampleModels.Linear());

        var miss = await host.InferAsync("linear", ModelsApiTests.LinearRequest);
        var hit = await host.InferAsync("linear", """{ "inputs" : [ { "data" : [[1.0, 2, 3, 4]], "datatype" : "FP32", "shape" : [1, 4], "name" : "x" } ] }""");

        Assert.False(miss.Cached);
        Assert.True(hit.Cached);
        Assert.Equal("cache;desc=hit", hit.ServerTiming);
        Assert.Equal(miss.Floats("y"), hit.Floats("y"));
        await using var client = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var key = client.GetServers()[0].Keys(pattern: "prediction:linear:1:*").Single().ToString();
        Assert.Matches("^prediction:linear:1:[0-9a-f]{64}$", key);
        var ttl = await client.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value.TotalSeconds, 1, 60);
    }

    [Fact]
    public async Task Cache_ParametersCacheFalse_AlwaysRunsTheModel()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        await host.UploadOkAsync("linear", SampleModels.Linear());
        const string Uncached = """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"parameters":{"cache":false}}""";

        var first = await host.InferAsync("linear", Uncached);
        var second = await host.InferAsync("linear", Uncached);

        Assert.False(first.Cached);
        Assert.False(second.Cached);
        Assert.Contains("cache;desc=bypass", second.ServerTiming, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_DeleteAndReupload_OldPredictionsAreNotServed()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        await host.UploadOkAsync("m", SampleModels.Linear());
        await host.InferAsync("m", ModelsApiTests.LinearRequest);
        Assert.True((await host.InferAsync("m", ModelsApiTests.LinearRequest)).Cached);

        await host.Client.DeleteAsync("v1/models/m");
        await host.UploadOkAsync("m", DoubledLinear());
        var after = await host.InferAsync("m", ModelsApiTests.LinearRequest);

        Assert.False(after.Cached);
        Assert.Equal("2", after.Json.GetProperty("model_version").GetString());
        Assert.Equal([2f, 4, 6, 8], after.Floats("y"));
        await using var client = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        Assert.Empty(client.GetServers()[0].Keys(pattern: "prediction:m:1:*"));
    }

    [Fact]
    public async Task Cache_ReuploadWithoutDelete_ServesTheNewVersionUncached()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        await host.UploadOkAsync("m", SampleModels.Linear());
        await host.InferAsync("m", ModelsApiTests.LinearRequest);

        await host.UploadOkAsync("m", DoubledLinear());
        var after = await host.InferAsync("m", ModelsApiTests.LinearRequest);

        Assert.False(after.Cached);
        Assert.Equal([2f, 4, 6, 8], after.Floats("y"));
    }

    [Fact]
    public async Task Cache_RedisKilledDuringARun_PredictionsGoOnUncachedHealthDegradedThenRecovers()
    {
        var port = FreePort.Next();
        var password = Guid.NewGuid().ToString("N");
        LocalRedis? own = await LocalRedis.StartRedisServerAsync(port, password);
        try
        {
            await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), own.ConnectionString);
            var connectionString = own.ConnectionString;
            await host.UploadOkAsync("linear", SampleModels.Linear());
            await host.InferAsync("linear", ModelsApiTests.LinearRequest);
            Assert.True((await host.InferAsync("linear", ModelsApiTests.LinearRequest)).Cached);

            await own.DisposeAsync();
            own = null;
            var during = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.InferAsync("linear", ModelsApiTests.LinearRequest)));

            Assert.All(during, d =>
            {
                Assert.Equal(200, d.Status);
                Assert.False(d.Cached);
            });
            await Wait.UntilAsync(async () => (await host.HealthAsync()).GetProperty("status").GetString() == "degraded",
                TimeSpan.FromSeconds(10), "Health did not turn degraded with Redis down");
            var health = await host.HealthAsync();
            Assert.Equal("disconnected", health.GetProperty("checks").GetProperty("redis").GetProperty("data").GetProperty("redis").GetString());

            own = await LocalRedis.StartRedisServerAsync(port, password);
            await Wait.UntilAsync(async () => (await host.HealthAsync()).GetProperty("status").GetString() == "healthy",
                TimeSpan.FromSeconds(30), "Health did not return to healthy after Redis came back");
            await host.InferAsync("linear", ModelsApiTests.LinearRequest);
            await Wait.UntilAsync(async () => (await host.InferAsync("linear", ModelsApiTests.LinearRequest)).Cached,
                TimeSpan.FromSeconds(10), "The cache did not serve a hit after Redis came back");
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
        }
    }

    private static byte[] DoubledLinear()
    {
        var g = new OnnxGraphBuilder("doubled");
        var x = g.Input("x", OnnxDataType.Float, "batch", 4);
        g.OpTo("y", "Mul", [x, g.Initializer(OnnxTensor.Scalar("two", 2f))]);
        g.Output("y", OnnxDataType.Float, "batch", 4);
        return OnnxModelWriter.ToBytes(g.BuildModel());
    }
}
