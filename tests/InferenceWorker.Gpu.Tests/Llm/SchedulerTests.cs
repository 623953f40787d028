using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Llm;
using BenchPlatform.TestCommon;
using Microsoft.Extensions.Time.Testing;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

public sealed class SchedulerTests
{
    [Fact]
    public async Task Stream_ClientDisconnectsMidStream_SequenceRetiredAndKvFreed()
    {
        await using var host = await LlmHost.StartAsync();
        var engine = host.Engine();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions")
        {
            Content = JsonContent.Create(new { model = "tiny-lm", prompt = "Tell me a long story", max_tokens = 400, stream = true }),
        };
        var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64];
        Assert.True(await stream.ReadAsync(buffer) > 0);
        await Wait.UntilAsync(() => Task.FromResult(engine.ActiveSequences == 1), TimeSpan.FromSeconds(10), "the streaming sequence was not active");
        Assert.True(engine.KvTokensReserved > 0);

        // Hang up mid-stream.
        response.Dispose();

        await Wait.UntilAsync(() => Task.FromResult(engine.ActiveSequences == 0 && engine.KvTokensReserved == 0),
            TimeSpan.FromSeconds(10), "the abandoned sequence was not retired and its KV not freed");
        var stepsAfterRetire = engine.Steps;
        // The engine goes on serving.
        using var next = await host.Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "x", max_tokens = 2 });
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.True(engine.Steps > stepsAfterRetire);
    }

    [Fact]
    public async Task Completions_200Concurrent_AllAnsweredAndBatched()
    {
        await using var host = await LlmHost.StartAsync();
        var engine = host.Engine();
        var tasks = Enumerable.Range(0, 200).Select(async i =>
        {
            using var response = await host.Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt = $"request {i}", max_tokens = 8, seed = i });
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return (response.StatusCode, Tokens: json.RootElement.TryGetProperty("usage", out var u) ? u.GetProperty("completion_tokens").GetInt32() : 0);
        }).ToList();
        var results = await Task.WhenAll(tasks);
        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(results, r => Assert.Equal(8, r.Tokens));
        // 200 sequences × 9 steps each (prefill + 7 decodes... ) run alone would take 1,800 steps; batched far fewer.
        Assert.True(engine.Steps < 200 * 8 / 2, $"{engine.Steps} steps for 200 sequences of 8 tokens: not batched");
        Assert.Equal(0, engine.ActiveSequences);
        Assert.Equal(0, engine.KvTokensReserved);
    }

    [Fact]
    public async Task Completions_OverTheWaitingBound_ExcessGets429WithRetryAfterAndNoneIsLost()
    {
        await using var host = await LlmHost.StartAsync(new Dictionary<string, string?>
        {
            ["Llm:MaxBatch"] = "2",
            ["Llm:MaxWaiting"] = "3",
            ["Llm:RetryAfterSeconds"] = "2",
        });
        var tasks = Enumerable.Range(0, 40).Select(async i =>
        {
            using var response = await host.Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "p", max_tokens = 64 });
            var retryAfter = response.Headers.RetryAfter?.Delta;
            await response.Content.ReadAsStringAsync();
            return (response.StatusCode, retryAfter);
        }).ToList();
        var results = await Task.WhenAll(tasks);
        Assert.Equal(40, results.Length);
        Assert.All(results, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.Contains(results, r => r.StatusCode == HttpStatusCode.OK);
        var rejected = results.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(rejected);
        Assert.All(rejected, r => Assert.Equal(TimeSpan.FromSeconds(2), r.retryAfter));
    }

    [Fact]
    public async Task Completions_WaitingPastTheQueueTimeout_Gets503WithRetryAfter()
    {
        var clock = new FakeTimeProvider();
        await using var host = await LlmHost.StartAsync(new Dictionary<string, string?>
        {
            ["Llm:MaxBatch"] = "1",
            ["Llm:QueueTimeoutMs"] = "50",
        }, clock);
        var engine = host.Engine();
        // A holder takes the only slot and keeps the loop inside its first token until the gate opens.
        using var gate = new GatedWriter();
        var holder = new Sequence(0, [1, 2, 3], 4, new SamplingParameters(0, 1, 0, 1, 1), gate, CancellationToken.None);
        Assert.Equal(SubmitResult.Accepted, engine.Submit(holder));
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10));

        var probe = host.Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "wait", max_tokens = 2 });
        await Wait.UntilAsync(() => Task.FromResult(engine.WaitingSequences == 1), TimeSpan.FromSeconds(10), "the probe was not queued");
        // The probe has now waited past Llm:QueueTimeoutMs on the engine's clock.
        clock.Advance(TimeSpan.FromMilliseconds(51));
        gate.Open();

        using var response = await probe;
        await OpenAiApiTests.AssertProblemAsync(response, 503, "Llm:QueueTimeoutMs");
        Assert.NotNull(response.Headers.RetryAfter);
        await Wait.UntilAsync(() => Task.FromResult(engine.ActiveSequences == 0 && engine.KvTokensReserved == 0 && engine.WaitingSequences == 0),
            TimeSpan.FromSeconds(10), "the holder was not retired after the gate opened");
    }

    [Fact]
    public async Task Stream_ClientNeverReads_OtherRequestsAndTheEngineKeepGoing()
    {
        await using var host = await LlmHost.StartAsync(new Dictionary<string, string?> { ["Llm:MaxBatch"] = "1" });
        var engine = host.Engine();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions")
        {
            Content = JsonContent.Create(new { model = "tiny-lm", prompt = "never read", max_tokens = 500, stream = true }),
        };
        // Headers arrive, the body is never read: the handler may block on the socket, the engine must not.
        using var unread = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await Wait.UntilAsync(() => Task.FromResult(engine.ActiveSequences == 0 && engine.WaitingSequences == 0 && engine.KvTokensReserved == 0),
            TimeSpan.FromSeconds(20), "the engine did not finish the unread sequence");
        // The only slot is free again: another user is served while the first still has not read a byte.
        using var next = await host.Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "next", max_tokens = 4 });
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Completions_OverTheKvBudget_Returns400NamingTheBudget()
    {
        await using var host = await LlmHost.StartAsync(new Dictionary<string, string?> { ["Llm:KvBudgetTokens"] = "100" });
        using var response = await host.Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "hello", max_tokens = 200 });
        await OpenAiApiTests.AssertProblemAsync(response, 400, "Llm:KvBudgetTokens");
    }
}
