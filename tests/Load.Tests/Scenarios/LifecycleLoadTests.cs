using BenchPlatform.Load.Tests.Support;
using BenchPlatform.LoadTests;
using BenchPlatform.TestCommon;
using Xunit.Abstractions;

namespace BenchPlatform.Load.Tests.Scenarios;

/// <summary>A multi-step flow: upload a third-party model under a new name, infer on it (a model cold start), delete it.</summary>
[Collection(LoadStackCollection.Name)]
public sealed class LifecycleLoadTests(StackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task ModelLifecycle_UploadInferDelete_EachStepTimedAndHoldsItsBound()
    {
        var model = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.SharedModels, "melspectrogram.onnx"));
        var infer = Bodies.Mel();
        var names = DataFeed.Circular(Enumerable.Range(0, 100).Select(i => $"lt-life-{Guid.NewGuid():N}"[..20]));
        var scenario = Scenario.Create("model_lifecycle", async ctx =>
            {
                var name = names.GetNextItem(ctx);
                await Step.Run("upload", ctx, async () => await Http.Send(ctx, new HttpRequestMessage(HttpMethod.Post, new Uri(ctx.Target!, $"/v1/models?name={name}"))
                {
                    Content = new ByteArrayContent(model) { Headers = { { "Content-Type", "application/octet-stream" } } },
                }));
                await Step.Run("infer", ctx, async () => await Http.Send(ctx, LoadRun.Json(ctx, HttpMethod.Post, $"/v2/models/{name}/infer", infer)));
                return await Step.Run("delete", ctx, async () => await Http.Send(ctx, new HttpRequestMessage(HttpMethod.Delete, new Uri(ctx.Target!, $"/v1/models/{name}"))));
            })
            .WithLoadSimulations(Simulation.IterationsForConstant(copies: 1, iterations: 6))
            .WithThresholds(
                Threshold.Create(stats => stats.Fail.Request.Count == 0, abortWhenErrorCount: 1));

        var stats = await LoadRun.RunAsync(stack, scenario, output, Limits.InferenceWorker, TimeSpan.FromSeconds(3), Limits.LifecycleUploadP50, Limits.LifecycleInferP50, Limits.LifecycleDeleteP50);

        var lifecycle = stats.GetScenarioStats("model_lifecycle");
        Assert.Equal(["upload", "infer", "delete"], lifecycle.Steps.Select(s => s.StepName));
        Assert.All(lifecycle.Steps, step => Assert.Equal(6, step.Ok.Request.Count));
    }
}
