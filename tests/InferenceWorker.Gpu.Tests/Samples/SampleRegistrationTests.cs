using System.Text.Json;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.TestCommon;

namespace BenchPlatform.InferenceWorker.Tests.Samples;

[Collection(InferenceCollection.Name)]
public sealed class SampleRegistrationTests(PostgresFixture postgres, RedisFixture redis)
{
    private static readonly Dictionary<string, string?> RegisterSamples = new() { ["Inference:RegisterSamples"] = "true" };

    [Fact]
    public async Task RegisterSamples_ThreeReplicasStartingTogether_RegisterEachSampleOnce()
    {
        var database = await postgres.CreateDatabaseAsync();
        var storage = Path.Combine(Path.GetTempPath(), $"benchplatform-samples-{Guid.NewGuid():N}");
        try
        {
            var hosts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => WorkerHost.StartAsync(database, null, RegisterSamples, storage)));
            try
            {
                var list = JsonDocument.Parse(await hosts[0].Client.GetStringAsync("v1/models")).RootElement.GetProperty("data");

                Assert.Equal(SampleModels.All.Keys.Order(), list.EnumerateArray().Select(m => m.GetProperty("id").GetString()!).Order());
                Assert.All(list.EnumerateArray(), m => Assert.Equal(1, m.GetProperty("version").GetInt32()));
                var call = await hosts[2].InferAsync("mlp", $$$"""{"inputs":[{"name":"x","shape":[1,{{{SampleModels.MlpInputs}}}],"datatype":"FP32","data":[{{{string.Join(",", Enumerable.Repeat("0.5", SampleModels.MlpInputs))}}}]}]}""");
                Assert.Equal(1f, call.Floats("probabilities").Sum(), 4);
            }
            finally
            {
                foreach (var host in hosts)
                {
                    await host.DisposeAsync();
                }
            }
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task RegisterSamples_AfterTheUserDeletedOne_DoesNotBringItBack()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using (var first = await WorkerHost.StartAsync(database, redis.ConnectionString, RegisterSamples))
        {
            await first.Client.DeleteAsync("v1/models/linear");
        }

        await using var second = await WorkerHost.StartAsync(database, redis.ConnectionString, RegisterSamples);

        Assert.Equal(404, (int)(await second.Client.GetAsync("v1/models/linear")).StatusCode);
        Assert.Equal(200, (int)(await second.Client.GetAsync("v1/models/mlp")).StatusCode);
    }

    [Fact]
    public async Task Preload_ListedModels_AreLoadedAndRunBeforeReady()
    {
        var database = await postgres.CreateDatabaseAsync();
        var storage = Path.Combine(Path.GetTempPath(), $"benchplatform-preload-{Guid.NewGuid():N}");
        try
        {
            await using (var seed = await WorkerHost.StartAsync(database, null, storageRoot: storage))
            {
                await seed.UploadOkAsync("mlp", SampleModels.Mlp());
            }

            await using var host = await WorkerHost.StartAsync(database, redis.ConnectionString,
                new Dictionary<string, string?> { ["Inference:Preload:0"] = "mlp", ["Inference:Preload:1"] = "not-registered" }, storage);

            var ready = JsonDocument.Parse(await host.Client.GetStringAsync("v2/models/mlp/ready")).RootElement;
            var health = await host.HealthAsync();
            Assert.True(ready.GetProperty("loaded").GetBoolean());
            Assert.Equal("""["mlp/1"]""", health.GetProperty("checks").GetProperty("worker").GetProperty("data").GetProperty("loaded_models").GetRawText());
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }
}
