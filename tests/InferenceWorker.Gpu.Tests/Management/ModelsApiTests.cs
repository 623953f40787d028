using System.Net;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.TestCommon;

namespace BenchPlatform.InferenceWorker.Tests.Management;

[Collection(InferenceCollection.Name)]
public sealed class ModelsApiTests(PostgresFixture postgres, RedisFixture redis)
{
    [Fact]
    public async Task Upload_Linear_Returns201WithSignatureAndStoresTheBlob()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        var bytes = SampleModels.Linear();

        var model = await host.UploadOkAsync("linear", bytes);

        Assert.Equal("linear", model.GetProperty("name").GetString());
        Assert.Equal(1, model.GetProperty("version").GetInt32());
        Assert.Equal("onnx", model.GetProperty("kind").GetString());
        Assert.Equal(bytes.Length, model.GetProperty("size_bytes").GetInt64());
        var sha = model.GetProperty("sha256").GetString()!;
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), sha);
        var input = model.GetProperty("inputs")[0];
        Assert.Equal("x", input.GetProperty("name").GetString());
        Assert.Equal("FP32", input.GetProperty("datatype").GetString());
        Assert.Equal("[-1,4]", input.GetProperty("shape").GetRawText());
        Assert.Equal("[-1,2]", model.GetProperty("outputs")[0].GetProperty("shape").GetRawText());
        Assert.True(model.TryGetProperty("created_at", out _));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(host.StorageRoot, "blobs", sha + ".onnx")));
    }

    [Fact]
    public async Task Upload_SameNameTwice_AddsAVersionAndGetReturnsTheLatest()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        await host.UploadOkAsync("m", SampleModels.Linear());
        await host.UploadOkAsync("m", SampleModels.Dynamic());

        var latest = JsonDocument.Parse(await host.Client.GetStringAsync("v1/models/m")).RootElement;

        Assert.Equal(2, latest.GetProperty("version").GetInt32());
        Assert.Equal("scaled", latest.GetProperty("outputs")[0].GetProperty("name").GetString());
    }

    public static TheoryData<string, byte[]> BadModelBytes => new()
    {
        { "not-onnx", "this is not a model"u8.ToArray() },
        { "truncated", SampleModels.Mlp()[..5000] },
        { "random", Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 251)).ToArray() },
    };

    [Theory]
    [MemberData(nameof(BadModelBytes))]
    public async Task Upload_BytesOnnxRuntimeCannotLoad_Returns400AndStoresNothing(string name, byte[] bytes)
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);

        using var response = await host.UploadAsync(name, bytes);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("Nothing was stored", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(host.StorageRoot, "blobs")));
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"v1/models/{name}")).StatusCode);
        var list = JsonDocument.Parse(await host.Client.GetStringAsync("v1/models")).RootElement;
        Assert.Equal(0, list.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Upload_EmptyBody_Returns400SayingSendTheBytes()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);

        using var response = await host.UploadAsync("empty", []);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("body is empty", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("a\\b")]
    [InlineData("with space")]
    [InlineData("")]
    public async Task Upload_NameWithPathCharacters_Returns400NamingTheRule(string name)
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);

        using var response = await host.UploadAsync(name, SampleModels.Linear());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
        Assert.Contains("letters, digits", detail, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(host.StorageRoot, "blobs")));
    }

    [Fact]
    public async Task List_AfterUploads_IsTheOpenAiListShapeWithKind()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        await host.UploadOkAsync("a", SampleModels.Linear());
        await host.UploadOkAsync("b", SampleModels.Linear());
        await host.UploadOkAsync("b", SampleModels.Linear());

        var list = JsonDocument.Parse(await host.Client.GetStringAsync("v1/models")).RootElement;

        Assert.Equal("list", list.GetProperty("object").GetString());
        var data = list.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(["a", "b"], data.Select(d => d.GetProperty("id").GetString()));
        Assert.All(data, d =>
        {
            Assert.Equal("model", d.GetProperty("object").GetString());
            Assert.Equal("onnx", d.GetProperty("kind").GetString());
            Assert.True(d.GetProperty("created").GetInt64() > 1_700_000_000);
        });
        Assert.Equal(2, data[1].GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Get_UnknownModel_Returns404Problem()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);

        using var response = await host.Client.GetAsync("v1/models/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Delete_Model_Returns204RemovesBlobAndLaterPredictIs404()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        var sha = (await host.UploadOkAsync("gone", SampleModels.Linear())).GetProperty("sha256").GetString()!;
        Assert.Equal(200, (await host.InferAsync("gone", LinearRequest)).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync("v1/models/gone")).StatusCode);

        var predict = await host.InferAsync("gone", LinearRequest);
        Assert.Equal(404, predict.Status);
        Assert.Contains("gone", predict.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(host.StorageRoot, "blobs", sha + ".onnx")));
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.DeleteAsync("v1/models/gone")).StatusCode);
    }

    [Fact]
    public async Task Delete_OneOfTwoNamesSharingABlob_KeepsTheBlobForTheOther()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        var sha = (await host.UploadOkAsync("first", SampleModels.Linear())).GetProperty("sha256").GetString()!;
        await host.UploadOkAsync("second", SampleModels.Linear());

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync("v1/models/first")).StatusCode);

        Assert.True(File.Exists(Path.Combine(host.StorageRoot, "blobs", sha + ".onnx")));
        Assert.Equal(200, (await host.InferAsync("second", LinearRequest)).Status);
    }

    [Fact]
    public async Task Upload_ConcurrentUploadsOfOneName_GetDistinctConsecutiveVersions()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        var models = new[] { SampleModels.Linear(), SampleModels.Dynamic(), SampleModels.TwoInTwoOut(), SampleModels.Mlp() };

        var uploads = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => host.UploadOkAsync("race", models[i % models.Length])));

        Assert.Equal(Enumerable.Range(1, 12), uploads.Select(u => u.GetProperty("version").GetInt32()).Order());
        var latest = JsonDocument.Parse(await host.Client.GetStringAsync("v1/models/race")).RootElement;
        Assert.Equal(12, latest.GetProperty("version").GetInt32());
        var twelfth = uploads.Single(u => u.GetProperty("version").GetInt32() == 12);
        Assert.Equal(twelfth.GetProperty("sha256").GetString(), latest.GetProperty("sha256").GetString());
        foreach (var upload in uploads)
        {
            Assert.True(File.Exists(Path.Combine(host.StorageRoot, "blobs", upload.GetProperty("sha256").GetString() + ".onnx")));
        }
    }

    [Fact]
    public async Task Warmup_SecondReplicaSharingStorage_LoadsFromTheOptimizedCache()
    {
        var database = await postgres.CreateDatabaseAsync();
        var storage = Path.Combine(Path.GetTempPath(), $"benchplatform-shared-{Guid.NewGuid():N}");
        try
        {
            JsonElement first, second;
            await using (var one = await WorkerHost.StartAsync(database, redis.ConnectionString, storageRoot: storage))
            {
                await one.UploadOkAsync("mlp", SampleModels.Mlp());
                first = JsonDocument.Parse(await (await one.Client.PostAsync("v1/models/mlp/warmup", null)).Content.ReadAsStringAsync()).RootElement;
            }

            await using (var two = await WorkerHost.StartAsync(database, redis.ConnectionString, storageRoot: storage))
            {
                second = JsonDocument.Parse(await (await two.Client.PostAsync("v1/models/mlp/warmup", null)).Content.ReadAsStringAsync()).RootElement;
            }

            Assert.Equal("miss", first.GetProperty("optimized_cache").GetString());
            Assert.Equal("hit", second.GetProperty("optimized_cache").GetString());
            Assert.True(first.GetProperty("load_ms").GetDouble() > 0);
            Assert.True(second.GetProperty("first_run_ms").GetDouble() > 0);
            Assert.True(second.GetProperty("loaded_now").GetBoolean());
            Assert.Single(Directory.GetFiles(Path.Combine(storage, "ort-cache"), "*-cpu-all.onnx"));
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task Warmup_UnknownModel_Returns404()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);

        using var response = await host.Client.PostAsync("v1/models/nope/warmup", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    internal const string LinearRequest = """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""";
}
