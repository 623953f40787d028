using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>Writes OpenAI streaming chunks as server-sent events (<c>data: {json}\n\n</c>), flushing each.</summary>
internal sealed class SseWriter(PipeWriter output, string id, long created, string model, bool chat)
{
    private readonly Utf8JsonWriter _json = new(output);

    public async ValueTask WriteChunkAsync(int index, string text, FinishReason? finish, bool role, CancellationToken cancellationToken)
    {
        output.Write("data: "u8);
        _json.Reset(output);
        Header();
        _json.WriteStartArray("choices");
        _json.WriteStartObject();
        _json.WriteNumber("index", index);
        if (chat)
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
            _json.WriteString("finish_reason", OpenAiApi.FinishName(f));
        }
        else
        {
            _json.WriteNull("finish_reason");
        }

        _json.WriteEndObject();
        _json.WriteEndArray();
        _json.WriteEndObject();
        await EndAsync(cancellationToken);
    }

    public async ValueTask WriteUsageAsync(Usage usage, Metrics metrics, CancellationToken cancellationToken)
    {
        output.Write("data: "u8);
        _json.Reset(output);
        Header();
        _json.WriteStartArray("choices");
        _json.WriteEndArray();
        OpenAiApi.WriteUsage(_json, usage, metrics);
        _json.WriteEndObject();
        await EndAsync(cancellationToken);
    }

    private void Header()
    {
        _json.WriteStartObject();
        _json.WriteString("id", id);
        _json.WriteString("object", chat ? "chat.completion.chunk" : "text_completion");
        _json.WriteNumber("created", created);
        _json.WriteString("model", model);
    }

    private async ValueTask EndAsync(CancellationToken cancellationToken)
    {
        _json.Flush();
        output.Write("\n\n"u8);
        var result = await output.FlushAsync(cancellationToken);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("The client stopped reading the stream.");
        }
    }
}
