using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.TestCommon;

namespace BenchPlatform.InferenceWorker.Tests.Sessions;

/// <summary>Models this project did not write (../shared/models, see its README), served end to end.</summary>
[Collection(InferenceCollection.Name)]
public sealed class ThirdPartyModelTests(PostgresFixture postgres, RedisFixture redis)
{
    private static byte[] Shared(string file) => File.ReadAllBytes(Path.Combine(RepoPaths.SharedModels, file));

    [Fact]
    public async Task SileroVad_FourInputsWithAScalarInt64_ReturnsProbabilityAndState()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        var model = await host.UploadOkAsync("silero", Shared("silero_vad.onnx"));
        Assert.Contains(model.GetProperty("inputs").EnumerateArray(), i => i.GetProperty("name").GetString() == "sr" && i.GetProperty("datatype").GetString() == "INT64");
        var audio = string.Join(",", Enumerable.Range(0, 512).Select(i => Math.Round(Math.Sin(i * 0.05) * 0.5, 5)));
        var zeros = string.Join(",", Enumerable.Repeat("0", 128));

        var call = await host.InferAsync("silero", $$$"""
            {"inputs":[{"name":"input","shape":[1,512],"datatype":"FP32","data":[{{{audio}}}]},
                       {"name":"sr","shape":[],"datatype":"INT64","data":[16000]},
                       {"name":"h","shape":[2,1,64],"datatype":"FP32","data":[{{{zeros}}}]},
                       {"name":"c","shape":[2,1,64],"datatype":"FP32","data":[{{{zeros}}}]}]}
            """);

        Assert.True(call.Status == 200, call.Body);
        Assert.Equal("[1,1]", call.Output("output").GetProperty("shape").GetRawText());
        Assert.InRange(call.Floats("output")[0], 0f, 1f);
        Assert.Equal("[2,1,64]", call.Output("hn").GetProperty("shape").GetRawText());
        Assert.Equal("[2,1,64]", call.Output("cn").GetProperty("shape").GetRawText());
    }

    [Fact]
    public async Task SileroVad_ScalarGivenAsVector_Returns400NamingSr()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        await host.UploadOkAsync("silero", Shared("silero_vad.onnx"));
        var zeros = string.Join(",", Enumerable.Repeat("0", 128));
        var audio = string.Join(",", Enumerable.Repeat("0", 512));

        var call = await host.InferAsync("silero", $$$"""
            {"inputs":[{"name":"input","shape":[1,512],"datatype":"FP32","data":[{{{audio}}}]},
                       {"name":"sr","shape":[1],"datatype":"INT64","data":[16000]},
                       {"name":"h","shape":[2,1,64],"datatype":"FP32","data":[{{{zeros}}}]},
                       {"name":"c","shape":[2,1,64],"datatype":"FP32","data":[{{{zeros}}}]}]}
            """);

        Assert.Equal(400, call.Status);
        Assert.Contains("Input 'sr' has shape [1]; model 'silero' expects []", call.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Melspectrogram_DynamicBatchAndLength_ConcurrentRequestsOfTwoLengthsGetTheirOwnFrameCounts()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString,
            new Dictionary<string, string?> { ["Inference:MaxQueueDelayMicroseconds"] = "20000" });
        await host.UploadOkAsync("mel", Shared("melspectrogram.onnx"));
        string Request(int samples, int seed) =>
            $$$"""{"inputs":[{"name":"input","shape":[1,{{{samples}}}],"datatype":"FP32","data":[{{{string.Join(",", Enumerable.Range(0, samples).Select(i => Math.Round(Math.Sin((i + seed) * 0.01), 4)))}}}]}],"parameters":{"cache":false}}""";

        string[] requests = [Request(16000, 0), Request(16000, 1), Request(8000, 2), Request(16000, 3)];
        var calls = await Task.WhenAll(requests.Select(r => host.InferAsync("mel", r)));
        var alone = await host.InferAsync("mel", Request(16000, 1));

        Assert.All(calls, c => Assert.True(c.Status == 200, c.Body));
        Assert.Equal("[1,1,97,32]", calls[0].Output("output").GetProperty("shape").GetRawText());
        Assert.Equal("[1,1,47,32]", calls[2].Output("output").GetProperty("shape").GetRawText());
        // A merged run may pick different GEMM blocking than a lone one: equal up to float rounding (relative 1e-5), not bit for bit.
        var (expected, actual) = (alone.Floats("output"), calls[1].Floats("output"));
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"element {i}: {expected[i]} vs {actual[i]}");
        }
    }

    [Fact]
    public async Task Melspectrogram_Warmup_FindsALengthTheModelAcceptsAndRunsOnce()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);
        await host.UploadOkAsync("mel", Shared("melspectrogram.onnx"));

        using var response = await host.Client.PostAsync("v1/models/mel/warmup", null);
        var warm = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.True(response.IsSuccessStatusCode);
        Assert.True(warm.GetProperty("first_run_ms").GetDouble() > 0, warm.GetRawText());
        Assert.Equal("miss", warm.GetProperty("optimized_cache").GetString());
    }
}
