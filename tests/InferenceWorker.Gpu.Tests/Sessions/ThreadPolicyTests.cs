using System.Text.Json;
using BenchPlatform.InferenceWorker.Registry;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.InferenceWorker.Sessions;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.TestCommon;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace BenchPlatform.InferenceWorker.Tests.Sessions;

/// <summary>The intra-op thread count each model gets: measured at load from 1 to the replica's cores, or fixed.</summary>
[Collection(InferenceCollection.Name)]
public sealed class ThreadPolicyTests(PostgresFixture postgres, RedisFixture redis)
{
    [Theory]
    [InlineData(1, new[] { 1 })]
    [InlineData(2, new[] { 1, 2 })]
    [InlineData(6, new[] { 1, 2, 4, 6 })]
    [InlineData(8, new[] { 1, 2, 4, 8 })]
    public void Candidates_OneThenDoublingsThenEveryCore(int cores, int[] expected) =>
        Assert.Equal(expected, IntraOpProbe.Candidates(cores));

    [Fact]
    public void MedianRunMs_FixedShapeDynamicLengthAndStringInputs_TimesWhatRunsAndSaysNullForStrings()
    {
        using var mel = Session(File.ReadAllBytes(Path.Combine(RepoPaths.SharedModels, "melspectrogram.onnx")), out var melSignature);
        using var linear = Session(SampleModels.Linear(), out var linearSignature);
        using var types = Session(SampleModels.AllTypes(), out var typesSignature);

        Assert.InRange(IntraOpProbe.MedianRunMs(linear, linearSignature, 5, TimeSpan.FromMilliseconds(50))!.Value, 0.0001, 1000);
        // melspectrogram needs more samples than one: the probe finds a length it accepts, as the warm-up does.
        Assert.InRange(IntraOpProbe.MedianRunMs(mel, melSignature, 5, TimeSpan.FromMilliseconds(50))!.Value, 0.0001, 1000);
        Assert.Null(IntraOpProbe.MedianRunMs(types, typesSignature, 5, TimeSpan.FromMilliseconds(50)));
    }

    [Theory]
    [InlineData("measured", new[] { 1, 2 })]
    [InlineData("fixed", new[] { 2 })]
    public async Task Warmup_TwoCoresForTheReplica_ThreadsComeFromThePolicy(string policy, int[] allowed)
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString,
            new Dictionary<string, string?> { ["Inference:IntraOpThreads"] = "2", ["Inference:ThreadPolicy"] = policy });
        await host.UploadOkAsync("mlp", SampleModels.Mlp());

        using var response = await host.Client.PostAsync("v1/models/mlp/warmup", null);
        var warmup = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Contains(warmup.GetProperty("intra_op_threads").GetInt32(), allowed);
        var loaded = Assert.Single(host.Services.GetRequiredService<ModelSessions>().Loaded);
        Assert.Equal(warmup.GetProperty("intra_op_threads").GetInt32(), loaded.IntraOpThreads);
        Assert.Equal(200, (await host.InferAsync("mlp", MlpRequest)).Status);
    }

    [Fact]
    public async Task Start_UnknownThreadPolicy_FailsNamingTheKey()
    {
        var database = await postgres.CreateDatabaseAsync();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => WorkerHost.StartAsync(database, redis.ConnectionString,
            new Dictionary<string, string?> { ["Inference:ThreadPolicy"] = "fastest" }));

        Assert.Contains("Inference:ThreadPolicy must be measured or fixed", error.Message, StringComparison.Ordinal);
    }

    private static readonly string MlpRequest =
        $$"""{"inputs":[{"name":"x","shape":[1,784],"datatype":"FP32","data":[{{string.Join(",", Enumerable.Repeat("0.1", 784))}}]}]}""";

    private static InferenceSession Session(byte[] model, out ModelSignature signature)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        var session = new InferenceSession(model, options);
        signature = ModelSignature.Of(OnnxInspector.Signature(session.InputMetadata), OnnxInspector.Signature(session.OutputMetadata));
        return session;
    }
}
