using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BenchPlatform.Protocol.Problems;
using BenchPlatform.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

public sealed class OpenAiApiTests(LlmHostFixture fixture) : IClassFixture<LlmHostFixture>
{
    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public async Task Completions_Greedy_ReturnsTextUsageMetricsAndServerTiming()
    {
        using var response = await Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "Hello there", max_tokens = 12, temperature = 0 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal("text_completion", root.GetProperty("object").GetString());
        Assert.Equal("tiny-lm", root.GetProperty("model").GetString());
        var choice = Assert.Single(root.GetProperty("choices").EnumerateArray().ToList());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.False(string.IsNullOrEmpty(choice.GetProperty("text").GetString()));
        var usage = root.GetProperty("usage");
        Assert.Equal(12, usage.GetProperty("completion_tokens").GetInt32());
        Assert.True(usage.GetProperty("prompt_tokens").GetInt32() > 0);
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + 12, usage.GetProperty("total_tokens").GetInt32());
        Assert.True(root.GetProperty("metrics").GetProperty("tokens_per_second").GetDouble() > 0);
        var timing = string.Join(",", response.Headers.GetValues("Server-Timing"));
        Assert.Contains("queue;dur=", timing);
        Assert.Contains("ttft;dur=", timing);
        Assert.Contains("tokens=12", timing);
    }

    [Fact]
    public async Task Completions_Answered_CountTheirPromptAndGeneratedTokensAndTimeToFirstTokenOnThePlatformMeter()
    {
        var meters = fixture.Host.Services.GetRequiredService<IMeterFactory>();
        using var tokens = new MetricCollector<long>(meters, PlatformTelemetry.MeterName, "llm.tokens");
        using var firstToken = new MetricCollector<double>(meters, PlatformTelemetry.MeterName, "llm.time_to_first_token");

        using var response = await Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "Count me", max_tokens = 7, temperature = 0, stream = true });
        var events = Sse.Events(await response.Content.ReadAsStringAsync());

        using var usage = JsonDocument.Parse(events[^2]);
        var prompt = usage.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt64();
        long Sum(string kind) => tokens.GetMeasurementSnapshot()
            .Where(m => m.Tags["kind"] as string == kind && m.Tags["model"] as string == "tiny-lm").Sum(m => m.Value);
        Assert.Equal(7, Sum("completion"));
        Assert.Equal(prompt, Sum("prompt"));
        var ttft = Assert.Single(firstToken.GetMeasurementSnapshot());
        Assert.InRange(ttft.Value, 0.001, 120_000);
    }

    [Fact]
    public async Task Completions_Streamed_ChunksConcatenateToTheNonStreamedTextAndEndWithDone()
    {
        var request = new { model = "tiny-lm", prompt = "The cat", max_tokens = 20, temperature = 0 };
        var whole = await TextAsync("v1/completions", request, chat: false);

        using var response = await Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "The cat", max_tokens = 20, temperature = 0, stream = true });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ttft;dur=", string.Join(",", response.Headers.GetValues("Server-Timing")));
        var events = Sse.Events(await response.Content.ReadAsStringAsync());
        Assert.Equal("[DONE]", events[^1]);
        Assert.Equal(whole, Sse.Text(events, chat: false));
        using var usage = JsonDocument.Parse(events[^2]);
        Assert.Equal(20, usage.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Contains(events, e => e.Contains("\"finish_reason\":\"length\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChatCompletions_Streamed_FirstDeltaHasRoleAndStreamEndsWithDone()
    {
        using var response = await Client.PostAsJsonAsync("v1/chat/completions", new
        {
            model = "tiny-lm",
            messages = new[] { new { role = "system", content = "Be brief." }, new { role = "user", content = "Hi!" } },
            max_tokens = 8,
            stream = true,
            seed = 7,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = Sse.Events(await response.Content.ReadAsStringAsync());
        using var first = JsonDocument.Parse(events[0]);
        Assert.Equal("chat.completion.chunk", first.RootElement.GetProperty("object").GetString());
        Assert.Equal("assistant", first.RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("[DONE]", events[^1]);
    }

    [Fact]
    public async Task Completions_SameSeed_SameTextAndDifferentSeedDiffers()
    {
        object Request(int seed) => new { model = "tiny-lm", prompt = "Once upon a time", max_tokens = 24, temperature = 1.0, top_p = 0.95, top_k = 50, seed };
        var a = await TextAsync("v1/completions", Request(42), chat: false);
        var b = await TextAsync("v1/completions", Request(42), chat: false);
        var c = await TextAsync("v1/completions", Request(43), chat: false);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public async Task Completions_StopString_TextEndsBeforeItWithFinishStop()
    {
        var full = await TextAsync("v1/completions", new { model = "tiny-lm", prompt = "Hello", max_tokens = 40, temperature = 0 }, chat: false);
        // A stop string taken from the middle of the greedy output: the answer must end right before it.
        var stop = full.Substring(full.Length / 2, 2);
        var expected = full[..full.IndexOf(stop, StringComparison.Ordinal)];
        foreach (var stream in new[] { false, true })
        {
            using var response = await Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "Hello", max_tokens = 40, temperature = 0, stop = new[] { stop }, stream });
            var body = await response.Content.ReadAsStringAsync();
            if (stream)
            {
                var events = Sse.Events(body);
                Assert.Equal(expected, Sse.Text(events, chat: false));
                Assert.Contains(events, e => e.Contains("\"finish_reason\":\"stop\"", StringComparison.Ordinal));
            }
            else
            {
                using var json = JsonDocument.Parse(body);
                Assert.Equal(expected, json.RootElement.GetProperty("choices")[0].GetProperty("text").GetString());
                Assert.Equal("stop", json.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
            }
        }
    }

    [Fact]
    public async Task Completions_NThree_ReturnsThreeChoicesAndCountsEveryPrompt()
    {
        using var json = await PostJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "abc", max_tokens = 5, n = 3, seed = 1 });
        var choices = json.RootElement.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], choices.Select(c => c.GetProperty("index").GetInt32()));
        var usage = json.RootElement.GetProperty("usage");
        Assert.Equal(15, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(0, usage.GetProperty("prompt_tokens").GetInt32() % 3);
    }

    [Theory]
    [InlineData("best_of_n")]
    [InlineData("diverse_sampling")]
    public async Task Strategy_ChoosingOne_ReturnsTheSampleWithTheBestMeanLogProb(string strategy)
    {
        using var json = await PostJsonAsync("v1/chat/completions", new
        {
            model = "tiny-lm",
            messages = new[] { new { role = "user", content = "What is 2+2?" } },
            max_tokens = 10,
            n = 4,
            seed = 3,
            strategy,
        });
        var root = json.RootElement;
        Assert.Single(root.GetProperty("choices").EnumerateArray());
        var info = root.GetProperty("strategy");
        var samples = info.GetProperty("samples").EnumerateArray().ToList();
        Assert.Equal(4, samples.Count);
        var scores = samples.Select(s => s.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.IndexOf(scores.Max()), info.GetProperty("chosen").GetInt32());
        Assert.Equal(40, root.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var temperatures = samples.Select(s => s.GetProperty("temperature").GetDouble()).Distinct().Count();
        Assert.Equal(strategy == "diverse_sampling" ? 4 : 1, temperatures);
    }

    [Fact]
    public async Task Strategy_Reread_RestatesThePrompt()
    {
        using var baseline = await PostJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "Why is the sky blue?", max_tokens = 4 });
        using var reread = await PostJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "Why is the sky blue?", max_tokens = 4, strategy = "reread" });
        var b = baseline.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        var r = reread.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        Assert.True(r > 2 * b, $"reread prompt {r} tokens vs baseline {b}");
    }

    public static TheoryData<string, string, int, string> BadRequests => new()
    {
        { "v1/completions", """{"model":"tiny-lm","prompt":""}""", 400, "prompt is empty" },
        { "v1/completions", """{"model":"tiny-lm"}""", 400, "prompt" },
        { "v1/chat/completions", """{"model":"tiny-lm","messages":[]}""", 400, "at least one message" },
        { "v1/chat/completions", """{"model":"tiny-lm","messages":[{"role":"user","content":""}]}""", 400, "empty" },
        { "v1/chat/completions", """{"model":"tiny-lm","messages":[{"role":"user","content":[1,"a",null]}]}""", 400, "only text parts are supported" },
        { "v1/completions", """{"model":"tiny-lm","prompt":"hi","max_tokens":0}""", 400, "max_tokens must be at least 1" },
        { "v1/completions", """{"model":"tiny-lm","prompt":"hi","max_tokens":-5}""", 400, "max_tokens must be at least 1" },
        { "v1/completions", """{"model":"tiny-lm","prompt":"hi","max_tokens":100000}""", 400, "at most 4096" },
        { "v1/completions", """{"model":"tiny-lm","prompt":"hi","max_tokens":600}""", 400, "context of 512" },
        { "v1/completions", """{"model":"tiny-lm","prompt":"hi","temperature":-0.1}""", 400, "temperature must be between 0 and 2" },
        { "v1/completions", """{"model":"tiny-lm","prompt":"hi","top_p":0}""", 400, "top_p must be in (0, 1]" },
        { "v1/completions", """{"model":"tiny-lm","prompt":"hi","top_p":1.5}""", 400, "top_p must be in (0, 1]" },
        { "v1/completions", """{"model":"tiny-lm","prompt":"hi","n":0}""", 400, "n must be between 1 and 16" },
        { "v1/completions", """{"model":"tiny-lm","prompt":"hi","stop":["","x"]}""", 400, "stop" },
        { "v1/completions", """{"model":"tiny-lm","prompt":"hi","strategy":"magic"}""", 400, "best_of_n" },
        { "v1/completions", """{"model":"tiny-lm","prompt":"hi","strategy":"best_of_n","stream":true}""", 400, "stream" },
        { "v1/completions", """{"model":"nope","prompt":"hi"}""", 404, "No LLM named 'nope'" },
        { "v1/completions", """{"prompt":"hi"}""", 400, "model" },
        { "v1/completions", """{"model":"tiny-lm","prompt":"hi",""", 400, "not valid JSON" },
        { "v1/completions", """{"model":"tiny-lm","prompt":[1,2,99999]}""", 400, "vocabulary" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Completions_BadInput_ReturnsProblemNamingTheFix(string path, string body, int status, string detail)
    {
        using var response = await Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertProblemAsync(response, status, detail);
    }

    [Fact]
    public async Task Completions_PromptOverContext_Returns400NamingTheLimit()
    {
        var prompt = string.Concat(Enumerable.Repeat("x ", 600));
        using var response = await Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt });
        await AssertProblemAsync(response, 400, "context of 512 tokens");
    }

    [Fact]
    public async Task Completions_InvalidUtf8_Returns400()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"model":"tiny-lm","prompt":"hi X"}""");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        using var response = await Client.PostAsync("v1/completions", content);
        await AssertProblemAsync(response, 400, "not valid UTF-8");
    }

    [Fact]
    public async Task Stats_AfterRequests_NoSequenceLeftActiveAndNoKvReserved()
    {
        await TextAsync("v1/completions", new { model = "tiny-lm", prompt = "x", max_tokens = 3 }, chat: false);
        using var stats = JsonDocument.Parse(await Client.GetStringAsync("v1/llm/stats"));
        var model = stats.RootElement.GetProperty("models").GetProperty("tiny-lm");
        Assert.True(model.GetProperty("steps").GetInt64() > 0);
        Assert.True(model.GetProperty("kv_budget_tokens").GetInt64() > 0);
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, int status, string detail)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Contains(detail, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var type = problem.RootElement.GetProperty("type").GetString();
        Assert.Equal(ProblemTypes.Of(problem.RootElement.GetProperty("title").GetString()), type);
        Assert.StartsWith("/docs/api.md#", type, StringComparison.Ordinal);
    }

    private async Task<JsonDocument> PostJsonAsync(string path, object request)
    {
        using var response = await Client.PostAsJsonAsync(path, request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body);
    }

    private async Task<string> TextAsync(string path, object request, bool chat)
    {
        using var json = await PostJsonAsync(path, request);
        var choice = json.RootElement.GetProperty("choices")[0];
        return chat ? choice.GetProperty("message").GetProperty("content").GetString()! : choice.GetProperty("text").GetString()!;
    }
}
