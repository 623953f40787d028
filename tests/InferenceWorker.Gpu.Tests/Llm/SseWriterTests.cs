using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Llm;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

public sealed class SseWriterTests
{
    [Fact]
    public async Task WriteChunk_SeveralThenOneFlush_EachEventIsTheWholeOpenAiChunk()
    {
        var pipe = new Pipe();
        var sse = new SseWriter(pipe.Writer, "chatcmpl-1", 1700000000, "tiny-lm", chat: true);
        sse.WriteChunk(0, "", null, role: true);
        sse.WriteChunk(0, "Hé \"quoted\"\n", null, role: false);
        sse.WriteChunk(1, "x", FinishReason.Length, role: false);
        Assert.False(pipe.Reader.TryRead(out _)); // nothing is sent before the flush
        await sse.FlushAsync(CancellationToken.None);
        await pipe.Writer.CompleteAsync();

        var body = Encoding.UTF8.GetString((await pipe.Reader.ReadAsync()).Buffer);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, events.Length);
        Assert.All(events, e => Assert.StartsWith("data: {", e, StringComparison.Ordinal));
        var chunks = events.Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToArray();
        Assert.All(chunks, c =>
        {
            Assert.Equal("chatcmpl-1", c.GetProperty("id").GetString());
            Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString());
            Assert.Equal(1700000000, c.GetProperty("created").GetInt64());
            Assert.Equal("tiny-lm", c.GetProperty("model").GetString());
            Assert.Equal(1, c.GetProperty("choices").GetArrayLength());
        });
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("Hé \"quoted\"\n", chunks[1].GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString());
        Assert.Equal(JsonValueKind.Null, chunks[1].GetProperty("choices")[0].GetProperty("finish_reason").ValueKind);
        Assert.Equal(1, chunks[2].GetProperty("choices")[0].GetProperty("index").GetInt32());
        Assert.Equal("length", chunks[2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }
}
