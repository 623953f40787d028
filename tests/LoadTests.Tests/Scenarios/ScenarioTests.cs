using System.Text.Json;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Tests.Support;
using BenchPlatform.TestCommon;
using Runner = BenchPlatform.LoadTests.Tests.Support.Cli;

namespace BenchPlatform.LoadTests.Tests.Scenarios;

/// <summary>Each scenario against a stand-in of docs/api.md on a real socket: the calls it makes and the figures it reports.</summary>
public sealed class ScenarioTests
{
    private static async Task<(JsonDocument Summary, string Output)> RunAsync(FakeGateway fake, params string[] args)
    {
        var directory = Runner.TempDirectory();
        try
        {
            var (code, output, error) = await Runner.RunAsync([.. args, "--target", fake.Url.ToString(), "--report", directory]);
            Assert.True(code == ExitCodes.Ok, $"exit {code}: {error}\n{output}");
            Assert.Empty(fake.BadRequests);
            return (JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "summary.json"))), output);
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    private static JsonElement Class(JsonElement run, string name) => run.GetProperty("classes").GetProperty(name).GetProperty("corrected");

    [Fact]
    public async Task ColdStart_ScalesToZeroEachTime_EveryRequestIsColdAndTheBoundsAreRestored()
    {
        await using var fake = await FakeGateway.StartAsync();

        var (summary, _) = await RunAsync(fake, "cold_start", "--iterations", "2", "--concurrency", "3");

        var runs = summary.RootElement.GetProperty("runs");
        Assert.Equal(2, runs.GetArrayLength());
        Assert.Equal(2, Class(runs[0], "cold").GetProperty("count").GetInt64());
        Assert.Equal(3, Class(runs[1], "cold").GetProperty("count").GetInt64());
        Assert.True(Class(runs[0], "cold").GetProperty("p50").GetDouble() >= 150);
        Assert.Equal(150, runs[0].GetProperty("server_phases_ms").GetProperty("cold").GetProperty("p50").GetDouble(), 0);
        Assert.Equal([(0, 0), (0, 4), (0, 0), (0, 4), (0, 0), (0, 4), (1, 4)], fake.ScaleCalls.ToArray());
        Assert.Equal((1, 4), (fake.Min, fake.Max));
    }

    [Fact]
    public async Task Warm_ModelFromTheTarget_SendsValidInferRequestsAtTheRate()
    {
        await using var fake = await FakeGateway.StartAsync();

        var (summary, _) = await RunAsync(fake, "warm", "--rate", "40", "--duration", "1s", "--warmup", "0.25s");

        var run = summary.RootElement.GetProperty("runs")[0];
        Assert.Equal("mlp", run.GetProperty("parameters").GetProperty("model").GetString());
        Assert.Equal(40, run.GetProperty("ok").GetInt64());
        Assert.Equal(40, Class(run, "warm").GetProperty("count").GetInt64());
        Assert.Equal(0.2, run.GetProperty("server_phases_ms").GetProperty("infer").GetProperty("p50").GetDouble(), 2);
    }

    [Fact]
    public async Task Batch_BatchSizes_SendThatManyRowsAndReportItemsPerSecond()
    {
        await using var fake = await FakeGateway.StartAsync();

        var (summary, _) = await RunAsync(fake, "batch", "--model", "mlp", "--batch-sizes", "1,10", "--duration", "0.5s", "--warmup", "0");

        var runs = summary.RootElement.GetProperty("runs");
        Assert.Equal("10", runs[1].GetProperty("parameters").GetProperty("batch").GetString());
        var items = runs[1].GetProperty("metrics").GetProperty("items_per_s").GetDouble();
        Assert.Equal(runs[1].GetProperty("ok").GetInt64() * 10 / runs[1].GetProperty("measured_s").GetDouble(), items, items * 0.01);
    }

    [Fact]
    public async Task Tokens_StreamedCompletions_ReportTokensPerSecondTtftAndTpot()
    {
        await using var fake = await FakeGateway.StartAsync();

        var (summary, _) = await RunAsync(fake, "tokens", "--model", "tiny-llm", "--iterations", "6", "--concurrency", "2");

        var run = summary.RootElement.GetProperty("runs")[0];
        var metrics = run.GetProperty("metrics");
        Assert.Equal(6, run.GetProperty("ok").GetInt64());
        Assert.Equal(30, metrics.GetProperty("tokens_total").GetDouble());
        Assert.Equal(5, metrics.GetProperty("tokens_per_request").GetDouble());
        Assert.True(metrics.GetProperty("ttft_p50_ms").GetDouble() >= 15, "the stand-in waits 20 ms before its first token");
        Assert.True(metrics.GetProperty("tpot_p50_ms").GetDouble() >= 4);
        Assert.True(metrics.GetProperty("tokens_per_s").GetDouble() > 0);
    }

    [Fact]
    public async Task Strategies_EachStrategy_IsSentAndMeasured()
    {
        await using var fake = await FakeGateway.StartAsync();

        var (summary, _) = await RunAsync(fake, "strategies", "--model", "tiny-llm", "--iterations", "3", "--concurrency", "1");

        var runs = summary.RootElement.GetProperty("runs");
        Assert.Equal(["baseline", "reread", "diverse_sampling", "best_of_n"], runs.EnumerateArray().Select(r => r.GetProperty("label").GetString()!).ToArray());
        Assert.All(runs.EnumerateArray(), r => Assert.Equal(1, r.GetProperty("metrics").GetProperty("success_rate").GetDouble()));
        Assert.Equal(3, fake.Strategies.Count(s => s == "best_of_n"));
    }

    [Fact]
    public async Task Sandbox_ResultStart_ClassesBlocksColdOrWarm()
    {
        await using var fake = await FakeGateway.StartAsync();

        var (summary, _) = await RunAsync(fake, "sandbox", "--concurrency", "4", "--rate", "20", "--duration", "0.3s", "--warmup", "0");

        var runs = summary.RootElement.GetProperty("runs");
        Assert.Equal(4, runs.GetArrayLength());
        Assert.Equal(2, Class(runs[0], "cold").GetProperty("count").GetInt64());
        Assert.Equal(2, Class(runs[0], "warm").GetProperty("count").GetInt64());
        Assert.Equal(6, Class(runs[3], "warm").GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Modes_ModelFile_RunsInProcessAndThroughTheTargetWithOverheadFactors()
    {
        await using var fake = await FakeGateway.StartAsync();
        var model = Path.Combine(RepoPaths.SharedModels, "melspectrogram.onnx");

        var (summary, _) = await RunAsync(fake, "modes", "--model-file", model, "--input-size", "1600", "--iterations", "10", "--warmup", "0");

        var runs = summary.RootElement.GetProperty("runs");
        Assert.Equal(6, runs.GetArrayLength());
        Assert.Equal("in-process", runs[0].GetProperty("model").GetString());
        Assert.Equal(10, runs[0].GetProperty("ok").GetInt64());
        Assert.Equal(10, runs[1].GetProperty("ok").GetInt64());
        Assert.True(runs[1].GetProperty("metrics").GetProperty("overhead_factor_mean").GetDouble() > 0);
        Assert.True(fake.Uploaded["lt-melspectrogram"] > 1_000_000, "the model file's bytes were uploaded");
    }

    [Fact]
    public async Task All_StandIn_RunsEveryScenarioIntoOneReport()
    {
        await using var fake = await FakeGateway.StartAsync();

        var (summary, output) = await RunAsync(fake, "all", "--rate", "40", "--max-rate", "60", "--duration", "0.3s", "--warmup", "0", "--iterations", "2",
            "--concurrency", "2", "--batch-sizes", "1,2", "--threshold", "warm:warm.p99<5s", "--threshold", "cold_start:cold.count>=2");

        var scenarios = summary.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("scenario").GetString()!).Distinct().ToArray();
        Assert.Equal(["warm", "cold_start", "complexity", "concurrency", "throughput", "batch", "sandbox", "tokens", "strategies"], scenarios);
        Assert.Contains("modes: skipped (needs --model-file)", output);
        Assert.All(summary.RootElement.GetProperty("thresholds").EnumerateArray(), t => Assert.True(t.GetProperty("passed").GetBoolean(), t.GetProperty("message").GetString()));
    }
}
