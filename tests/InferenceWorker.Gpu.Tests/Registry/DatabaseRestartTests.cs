using BenchPlatform.AppHost.Hosting.Servers;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.InferenceWorker.Tests.Management;
using BenchPlatform.TestCommon;

namespace BenchPlatform.InferenceWorker.Tests.Registry;

[Collection(InferenceCollection.Name)]
public sealed class DatabaseRestartTests(RedisFixture redis)
{
    [Fact]
    public async Task PostgresRestartedDuringARun_LoadedModelsKeepServingUploadsGet503ThenRecover()
    {
        var root = Path.Combine(Path.GetTempPath(), $"benchplatform-pg-restart-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var port = FreePort.Next();
        var password = Guid.NewGuid().ToString("N");
        LocalPostgres? postgres = await LocalPostgres.StartAsync(Path.Combine(root, "data"), port, password, durable: false);
        try
        {
            await postgres.EnsureDatabaseAsync("registry");
            var connection = postgres.ConnectionString("registry");
            await using var host = await WorkerHost.StartAsync(connection, redis.ConnectionString,
                new Dictionary<string, string?> { ["Inference:RegistryLookupCacheMilliseconds"] = "0" });
            await host.UploadOkAsync("linear", SampleModels.Linear());
            const string Uncached = """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"parameters":{"cache":false}}""";
            var before = await host.InferAsync("linear", Uncached);
            Assert.Equal(200, before.Status);

            await postgres.DisposeAsync();
            postgres = null;
            var during = await host.InferAsync("linear", Uncached);
            using var upload = await host.UploadAsync("other", SampleModels.Linear());
            var unknown = await host.InferAsync("never-seen", ModelsApiTests.LinearRequest);
            var health = await host.HealthAsync();

            Assert.Equal(200, during.Status);
            Assert.Equal(before.Floats("y"), during.Floats("y"));
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, upload.StatusCode);
            Assert.NotNull(upload.Headers.RetryAfter);
            Assert.Equal(503, unknown.Status);
            Assert.Equal("1", unknown.RetryAfter);
            Assert.Equal("degraded", health.GetProperty("status").GetString());
            Assert.Equal("disconnected", health.GetProperty("checks").GetProperty("database").GetProperty("data").GetProperty("database").GetString());

            postgres = await LocalPostgres.StartAsync(Path.Combine(root, "data"), port, password, durable: false);
            await Wait.UntilAsync(async () =>
            {
                using var retry = await host.UploadAsync("other", SampleModels.Linear());
                return retry.StatusCode == System.Net.HttpStatusCode.Created;
            }, TimeSpan.FromSeconds(30), "Uploads did not succeed again after PostgreSQL restarted");
            Assert.Equal(200, (await host.InferAsync("other", Uncached)).Status);
        }
        finally
        {
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
        }
    }
}
