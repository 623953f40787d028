using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>Streamed answers under <c>Llm:StreamIntervalMs</c>: tokens coalesced into fewer chunks, same text.</summary>
public sealed class StreamIntervalTests
{
    // Longer than any answer here takes: every chunk but a choice's first text and its end waits for the end.
    private const int NeverDue = 600_000;

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(5, true)]
    [InlineData(NeverDue, false)]
    [InlineData(NeverDue, true)]
    public async Task Streamed_AnyInterval_EachChoiceConcatenatesToTheNonStreamedAnswerForTheSameSeed(int intervalMs, bool chat)
    {
        await using var host = await StartAsync(intervalMs);
        var path = chat ? "v1/chat/completions" : "v1/completions";
        object Request(bool stream) => chat
            ? new { model = "tiny-lm", messages = new[] { new { role = "user", content = "Tell me a story" } }, max_tokens = 40, temperature = 1.0, n = 2, seed = 11, stream }
            : new { model = "tiny-lm", prompt = "Once upon a time", max_tokens = 40, temperature = 1.0, n = 2, seed = 11, stream };

        using var whole = await host.Client.PostAsJsonAsync(path, Request(stream: false));
        var wholeBody = await whole.Content.ReadAsStringAsync();
        Assert.True(whole.IsSuccessStatusCode, wholeBody);
        using var json = JsonDocument.Parse(wholeBody);
        using var streamed = await host.Client.PostAsJsonAsync(path, Request(stream: true));
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        var events = Sse.Events(await streamed.Content.ReadAsStringAsync());
        Assert.Equal("[DONE]", events[^1]);
        using var usage = JsonDocument.Parse(events[^2]);
        Assert.Equal(80, usage.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        foreach (var choice in json.RootElement.GetProperty("choices").EnumerateArray())
        {
            var index = choice.GetProperty("index").GetInt32();
            var text = chat ? choice.GetProperty("message").GetProperty("content").GetString() : choice.GetProperty("text").GetString();
            Assert.False(string.IsNullOrEmpty(text));
            Assert.Equal(text, Sse.Text(events, chat, index));
            Assert.Single(events, e => e.Contains($"\"index\":{index},", StringComparison.Ordinal) && e.Contains("\"finish_reason\":\"length\"", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Streamed_IntervalLongerThanTheAnswer_FirstTokenAloneAtOnceThenTheRestInTheFinalChunk()
    {
        await using var host = await StartAsync(NeverDue);
        var first = await WholeTextAsync(host, maxTokens: 1);
        var whole = await WholeTextAsync(host, maxTokens: 24);
        Assert.StartsWith(first, whole, StringComparison.Ordinal);
        Assert.NotEqual(first, whole);

        using var response = await host.Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "The cat", max_tokens = 24, temperature = 0, stream = true });
        var events = Sse.Events(await response.Content.ReadAsStringAsync());

        // 24 tokens in 4 events: the first token's text on its own (so it was written before the second token was
        // read: time to first token is not held by the interval), the other 23 with the finish, usage, [DONE].
        Assert.True(events.Count == 4, string.Join('\n', events));
        Assert.Equal(first, Sse.Text(events.Take(1), chat: false));
        Assert.Contains("\"finish_reason\":null", events[0], StringComparison.Ordinal);
        Assert.Equal(whole[first.Length..], Sse.Text(events.Skip(1).Take(1), chat: false));
        Assert.Contains("\"finish_reason\":\"length\"", events[1], StringComparison.Ordinal);
        using var usage = JsonDocument.Parse(events[2]);
        Assert.Equal(24, usage.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("[DONE]", events[3]);
    }

    [Fact]
    public async Task Streamed_IntervalZero_EachTokenSentAsItsTextIsReady()
    {
        await using var host = await StartAsync(0);
        using var response = await host.Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "The cat", max_tokens = 24, temperature = 0, stream = true });
        var events = Sse.Events(await response.Content.ReadAsStringAsync());

        // A chunk per token whose text is complete (the random tiny LM also emits bytes of unfinished UTF-8 characters,
        // which wait for the token that completes them), then usage and [DONE]: nothing coalesced.
        Assert.InRange(events.Count - 2, 12, 24);
        Assert.Equal(await WholeTextAsync(host, maxTokens: 24), Sse.Text(events, chat: false));
    }

    private static Task<LlmHost> StartAsync(int intervalMs) => LlmHost.StartAsync(new Dictionary<string, string?>
    {
        ["Llm:StreamIntervalMs"] = intervalMs.ToString(CultureInfo.InvariantCulture),
    });

    private static async Task<string> WholeTextAsync(LlmHost host, int maxTokens)
    {
        using var response = await host.Client.PostAsJsonAsync("v1/completions", new { model = "tiny-lm", prompt = "The cat", max_tokens = maxTokens, temperature = 0 });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }
}
