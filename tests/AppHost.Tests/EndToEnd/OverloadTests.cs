using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BenchPlatform.TestCommon;

namespace BenchPlatform.AppHost.Tests.EndToEnd;

/// <summary>
/// The whole stack under more work than it can do, with a real third-party model made slow by a long input (the
/// melspectrogram of a minute of audio): refusals instead of timeouts, goodput kept, nothing left in flight by callers
/// who leave in any phase, and the replicas back at min afterwards.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class OverloadTests(OverloadTests.Stack stack) : IClassFixture<OverloadTests.Stack>
{
    private const string Model = "melspec-overload";

    // A minute of 16 kHz audio (zeros): tens of milliseconds of compute on this machine's cores.
    private static readonly string Slow = Audio(16_000 * 60);

    private static string Audio(int samples) =>
        $$$"""{"inputs":[{"name":"input","shape":[1,{{{samples}}}],"datatype":"FP32","data":[{{{string.Join(",", Enumerable.Repeat("0", samples))}}}]}],"parameters":{"cache":false}}""";

    /// <summary>One stack: up to two inference replicas, a 2 s scale-down window, a 300 ms queue bound in the workers.</summary>
    public sealed class Stack : IAsyncLifetime
    {
        public AppHostProcess AppHost { get; private set; } = null!;

        public HttpClient Gateway { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            AppHost = AppHostProcess.Start(
                [
                    "--AppHost:Autoscale:inference:Min=1", "--AppHost:Autoscale:inference:Max=2",
                    "--AppHost:Autoscale:inference:ScaleDownWindow=00:00:02",
                ],
                new Dictionary<string, string?> { ["Inference__MaxQueueWaitMilliseconds"] = "300" });
            await AppHost.WaitHealthyAsync(TimeSpan.FromSeconds(120));
            Gateway = new HttpClient { BaseAddress = AppHost.GatewayUrl, Timeout = TimeSpan.FromSeconds(60) };
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(RepoPaths.SharedModels, "melspectrogram.onnx")));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var upload = await Gateway.PostAsync($"v1/models?name={Model}", content);
            Assert.True(upload.StatusCode == HttpStatusCode.Created, await upload.Content.ReadAsStringAsync());
        }

        public async Task DisposeAsync()
        {
            Gateway?.Dispose();
            if (AppHost is not null)
            {
                var survivors = await AppHost.StopAsync();
                await AppHost.DisposeAsync();
                Assert.Empty(survivors);
            }
        }

        /// <summary>The gateway's load report for the inference cluster.</summary>
        public async Task<JsonElement> LoadAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "_internal/load");
            request.Headers.Add("X-Internal-Token", AppHost.InternalToken());
            using var response = await Gateway.SendAsync(request);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("clusters").GetProperty("inference").Clone();
        }

        /// <summary>Waits until the gateway has nothing in flight or held for inference.</summary>
        public Task WaitIdleAsync(TimeSpan within, string phase) => Wait.UntilAsync(async () =>
        {
            var load = await LoadAsync();
            return load.GetProperty("inflight").GetInt32() == 0 && load.GetProperty("waiting").GetInt32() == 0;
        }, within, $"requests abandoned while {phase} were still counted in flight at the gateway");

        public HttpRequestMessage Infer(string body) =>
            new(HttpMethod.Post, $"v2/models/{Model}/infer") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }

    [Fact]
    public async Task Overload_SlowModel_AnswersEveryRequestWith200Or503NeverATimeoutAndKeepsServing()
    {
        // Capacity, measured here and now: one client, one request after another.
        using (var warm = await stack.Gateway.SendAsync(stack.Infer(Slow)))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var alone = Stopwatch.StartNew();
        var sequential = 0;
        while (alone.Elapsed < TimeSpan.FromSeconds(2))
        {
            using var response = await stack.Gateway.SendAsync(stack.Infer(Slow));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            sequential++;
        }

        var capacity = sequential / alone.Elapsed.TotalSeconds;

        // Then 24 clients at once, each with a 10 s timeout, for 4 s.
        using var client = new HttpClient { BaseAddress = stack.AppHost.GatewayUrl, Timeout = TimeSpan.FromSeconds(10) };
        var statuses = new List<HttpStatusCode>();
        var timeouts = 0;
        var retryAfterMissing = 0;
        var load = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Task.Run(async () =>
        {
            while (load.Elapsed < TimeSpan.FromSeconds(4))
            {
                try
                {
                    using var response = await client.SendAsync(stack.Infer(Slow));
                    lock (statuses)
                    {
                        statuses.Add(response.StatusCode);
                        retryAfterMissing += response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is null ? 1 : 0;
                    }
                }
                catch (TaskCanceledException)
                {
                    Interlocked.Increment(ref timeouts);
                }
            }
        })));
        var goodput = statuses.Count(s => s == HttpStatusCode.OK) / load.Elapsed.TotalSeconds;

        Assert.Equal(0, timeouts);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"answered {(int)s}"));
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
        Assert.Equal(0, retryAfterMissing);
        // Collapse is goodput near zero; a 2-core machine shared with the load itself keeps well over a third of one client's rate.
        Assert.True(goodput >= capacity / 3, $"goodput {goodput:0.0}/s under overload against {capacity:0.0}/s for one client");

        // After the load: nothing in flight within a second, and the replicas back at min after the scale-down window.
        await stack.WaitIdleAsync(TimeSpan.FromSeconds(1), "the load stopped");
        await Wait.UntilAsync(async () => (await stack.LoadAsync()).GetProperty("desired").GetInt32() == 1,
            TimeSpan.FromSeconds(30), "the replicas did not go back to min after the overload");
    }

    [Fact]
    public async Task Abandoned_WhileQueuedOrRunning_LeavesNothingInFlight()
    {
        using (var warm = await stack.Gateway.SendAsync(stack.Infer(Slow)))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        using var leave = new CancellationTokenSource();
        var calls = Enumerable.Range(0, 6).Select(_ => stack.Gateway.SendAsync(stack.Infer(Slow), leave.Token)).ToArray();
        await Wait.UntilAsync(async () => (await stack.LoadAsync()).GetProperty("inflight").GetInt32() >= 2,
            TimeSpan.FromSeconds(10), "the requests did not reach the worker");
        await leave.CancelAsync();
        foreach (var call in calls)
        {
            try
            {
                (await call).Dispose();
            }
            catch (TaskCanceledException)
            {
            }
        }

        await stack.WaitIdleAsync(TimeSpan.FromSeconds(1), "queued or running");
    }

    [Fact]
    public async Task Abandoned_WhileStreaming_LeavesNothingInFlight()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent(
                "{\"model\":\"tiny-lm\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],\"max_tokens\":480,\"temperature\":0,\"stream\":true}",
                Encoding.UTF8, "application/json"),
        };
        using (var response = await stack.Gateway.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: ", await reader.ReadLineAsync(), StringComparison.Ordinal);
        }

        await stack.WaitIdleAsync(TimeSpan.FromSeconds(1), "streaming");
    }

    [Fact]
    public async Task Abandoned_WhileHeldForAColdCluster_LeavesNothingWaitingOrInFlight()
    {
        await PutScaleAsync(min: 0, max: 0);
        await Wait.UntilAsync(async () => (await stack.LoadAsync()).GetProperty("desired").GetInt32() == 0,
            TimeSpan.FromSeconds(30), "inference did not scale to zero");
        await PutScaleAsync(min: 0, max: 2);
        try
        {
            using var leave = new CancellationTokenSource();
            var held = stack.Gateway.SendAsync(stack.Infer(Slow), leave.Token);
            await Wait.UntilAsync(async () => held.IsCompleted || (await stack.LoadAsync()).GetProperty("waiting").GetInt32() == 1,
                TimeSpan.FromSeconds(10), "the request was not held");
            await leave.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held);

            await stack.WaitIdleAsync(TimeSpan.FromSeconds(1), "held for a cold cluster");
        }
        finally
        {
            await PutScaleAsync(min: 1, max: 2);
        }
    }

    private async Task PutScaleAsync(int min, int max)
    {
        using var request = stack.AppHost.ControlRequest(HttpMethod.Put, "_internal/scale/inference");
        request.Content = JsonContent.Create(new { min, max });
        using var response = await stack.AppHost.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
