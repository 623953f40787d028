using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.InferenceWorker.Sessions;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.InferenceWorker.Tests.Management;
using BenchPlatform.TestCommon;

namespace BenchPlatform.InferenceWorker.Tests.Sessions;

[Collection(InferenceCollection.Name)]
public sealed class ExecutionProviderTests(PostgresFixture postgres, RedisFixture redis)
{
    [Fact]
    public async Task Health_CudaAskedOnTheCpuOnlyRuntime_FallsBackToCpuWithTheReasonAndServes()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString,
            new Dictionary<string, string?> { ["Inference:ExecutionProvider"] = "cuda", ["Inference:IntraOpThreads"] = "2" });
        await host.UploadOkAsync("linear", SampleModels.Linear());

        var health = await host.HealthAsync();
        var infer = await host.InferAsync("linear", ModelsApiTests.LinearRequest);

        var worker = health.GetProperty("checks").GetProperty("worker").GetProperty("data");
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal("cpu", worker.GetProperty("execution_provider").GetString());
        Assert.Contains("no CUDA execution provider", worker.GetProperty("execution_provider_reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, worker.GetProperty("intra_op_threads").GetInt32());
        Assert.Equal(200, infer.Status);
    }

    [Theory]
    [InlineData("cpu", null, "Inference:ExecutionProvider is cpu")]
    [InlineData("auto", null, "no CUDA execution provider")]
    [InlineData("auto", "-1", "no CUDA execution provider")]
    public void Choose_OnTheCpuOnlyRuntime_IsCpuWithAReason(string asked, string? visibleDevices, string reason)
    {
        var choice = ExecutionProviderSelector.Choose(new InferenceOptions { ExecutionProvider = asked }, visibleDevices);

        Assert.Equal(ExecutionProviderChoice.Cpu, choice.Provider);
        Assert.Contains(reason, choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InvalidOptimizationSetting_StopsWithAMessageNamingTheKey()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => WorkerHost.StartAsync("Host=127.0.0.1;Port=1", null,
            new Dictionary<string, string?> { ["Inference:Optimization"] = "fast" }, waitReady: false));

        Assert.Contains("Inference:Optimization must be full or eager", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eager_LoadsWithoutTheOptimizedCacheAndGivesTheSameOutputs()
    {
        await using var eager = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString,
            new Dictionary<string, string?> { ["Inference:Optimization"] = "eager" });
        await using var full = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), null);
        await eager.UploadOkAsync("mlp", SampleModels.Mlp());
        await full.UploadOkAsync("mlp", SampleModels.Mlp());
        var data = string.Join(",", Enumerable.Range(0, SampleModels.MlpInputs).Select(i => (i % 7 - 3) * 0.1));
        var request = $$$"""{"inputs":[{"name":"x","shape":[1,{{{SampleModels.MlpInputs}}}],"datatype":"FP32","data":[{{{data}}}]}],"parameters":{"cache":false}}""";

        var warm = System.Text.Json.JsonDocument.Parse(await (await eager.Client.PostAsync("v1/models/mlp/warmup", null)).Content.ReadAsStringAsync()).RootElement;
        var a = await eager.InferAsync("mlp", request);
        var b = await full.InferAsync("mlp", request);

        Assert.Equal("off", warm.GetProperty("optimized_cache").GetString());
        Assert.False(Directory.Exists(Path.Combine(eager.StorageRoot, "ort-cache")) && Directory.EnumerateFiles(Path.Combine(eager.StorageRoot, "ort-cache")).Any());
        var (x, y) = (a.Floats("probabilities"), b.Floats("probabilities"));
        for (var i = 0; i < x.Length; i++)
        {
            Assert.Equal(y[i], x[i], 5);
        }
    }
}
