using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// Writes OpenAI streaming chunks as server-sent events (<c>data: {json}\n\n</c>). The part every chunk of a response
/// shares (id, object, created, model) is serialized once; <see cref="FlushAsync"/> sends what was written, so a
/// caller with several chunks ready sends them in one write.
/// </summary>
internal sealed class SseWriter
{
    private readonly PipeWriter _output;
    private readonly string _id;
    private readonly long _created;
    private readonly string _model;
    private readonly bool _chat;
    private readonly Utf8JsonWriter _json;
    private readonly byte[] _chunkStart;

    public SseWriter(PipeWriter output, string id, long created, string model, bool chat)
    {
        _output = output;
        _id = id;
        _created = created;
        _model = model;
        _chat = chat;
        var start = new ArrayBufferWriter<byte>(256);
        start.Write("data: "u8);
        _json = new Utf8JsonWriter(start);
        Header();
        _json.WriteStartArray("choices");
        _json.Flush();
        _chunkStart = start.WrittenSpan.ToArray();
        _json.Reset(output);
    }

    /// <summary>Writes one choice's chunk (not yet sent: see <see cref="FlushAsync"/>).</summary>
    public void WriteChunk(int index, string text, FinishReason? finish, bool role)
    {
        _output.Write(_chunkStart);
        _json.Reset(_output);
        _json.WriteStartObject();
        _json.WriteNumber("index", index);
        if (_chat)
        {
            _json.WriteStartObject("delta");
            if (role)
            {
                _json.WriteString("role", "assistant");
            }

            if (text.Length > 0 || role)
            {
                _json.WriteString("content", text);
            }

            _json.WriteEndObject();
        }
        else
        {
            _json.WriteString("text", text);
        }

        _json.WriteNull("logprobs");
        if (finish is { } f)
        {
            _json.WriteString("finish_reason", CompletionJson.FinishName(f));
        }
        else
        {
            _json.WriteNull("finish_reason");
        }

        _json.WriteEndObject();
        _json.Flush();
        _output.Write("]}\n\n"u8);
    }

    /// <summary>Writes the usage chunk (not yet sent).</summary>
    public void WriteUsage(Usage usage, Metrics metrics)
    {
        _output.Write("data: "u8);
        _json.Reset(_output);
        Header();
        _json.WriteStartArray("choices");
        _json.WriteEndArray();
        CompletionJson.WriteUsage(_json, usage, metrics);
        _json.WriteEndObject();
        _json.Flush();
        _output.Write("\n\n"u8);
    }

    private void Header()
    {
        _json.WriteStartObject();
        _json.WriteString("id", _id);
        _json.WriteString("object", _chat ? "chat.completion.chunk" : "text_completion");
        _json.WriteNumber("created", _created);
        _json.WriteString("model", _model);
    }

    /// <summary>Sends the chunks written so far.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var result = await _output.FlushAsync(cancellationToken);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("The client stopped reading the stream.");
        }
    }
}
