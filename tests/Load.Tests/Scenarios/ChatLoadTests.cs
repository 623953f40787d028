using System.Diagnostics;
using BenchPlatform.Load.Tests.Support;
using BenchPlatform.LoadTests;
using BenchPlatform.LoadTests.Engine;
using BenchPlatform.TestCommon;
using Xunit.Abstractions;

namespace BenchPlatform.Load.Tests.Scenarios;

/// <summary>Streamed chat completions on the sample LM by two clients at once: tokens counted, first token timed.</summary>
[Collection(LoadStackCollection.Name)]
public sealed class ChatLoadTests(StackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task StreamedChat_TwoClients_EveryStreamEndsWithDoneAndHoldsItsLatency()
    {
        var scenario = Scenario.Create("chat_stream", async ctx =>
                await Http.Send(ctx, LoadRun.Json(ctx, HttpMethod.Post, "/v1/chat/completions", Bodies.Chat(ctx.InvocationNumber)), ReadStreamAsync))
            .WithWarmUpDuration(TimeSpan.FromSeconds(1))
            .WithLoadSimulations(Simulation.KeepConstant(copies: 2, during: TimeSpan.FromSeconds(4)))
            .WithThresholds(
                Threshold.Parse("all.error_rate<=0"),
                Threshold.Parse("all.count>=4"));

        var stats = await LoadRun.RunAsync(stack, scenario, output, Limits.InferenceWorker, TimeSpan.FromSeconds(4), Limits.ChatP50);

        var records = stats.GetScenarioStats("chat_stream").Summary.Records!.Records;
        Assert.All(records.Where(r => !r.Warmup), r => Assert.InRange(r.Tokens, 1, 16));
        Assert.All(records.Where(r => !r.Warmup), r => Assert.True(r.FirstTokenTicks > 0 && r.FirstTokenTicks <= r.EndTicks, "the first token's time is taken"));
    }

    /// <summary>Server-sent events: one token per chunk that has content; the stream must end with <c>data: [DONE]</c>.</summary>
    private static async ValueTask<BodyReading> ReadStreamAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream);
        var tokens = 0;
        long first = 0;
        var done = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            if (line == "data: [DONE]")
            {
                done = true;
                continue;
            }

            if (line.Contains("\"content\"", StringComparison.Ordinal))
            {
                tokens++;
                first = first == 0 ? Stopwatch.GetTimestamp() : first;
            }
        }

        return new BodyReading(done && tokens > 0, tokens, first);
    }
}
