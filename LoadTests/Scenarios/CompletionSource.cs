using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BenchPlatform.LoadTests.Engine;
using BenchPlatform.Protocol.OpenAi;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>
/// <c>POST /v1/completions</c>: streamed (server-sent events, one token per chunk, first-token time taken) or whole
/// (tokens from <c>usage.completion_tokens</c>); a distinct seed per request.
/// </summary>
public sealed class CompletionSource : IRequestSource
{
    private readonly Uri _uri;
    private readonly string _model;
    private readonly string _prompt;
    private readonly int _maxTokens;
    private readonly bool _stream;
    private readonly CompletionStrategy? _strategy;
    private readonly int _n;
    private readonly string? _authorization;

    public CompletionSource(Uri uri, string model, string prompt, int maxTokens, bool stream, CompletionStrategy? strategy, int n, string? apiKey)
    {
        _uri = uri;
        _model = model;
        _prompt = prompt;
        _maxTokens = maxTokens;
        _stream = stream;
        _strategy = strategy;
        _n = n;
        _authorization = apiKey is null ? null : "Bearer " + apiKey;
    }

    public HttpRequestMessage Create(long sequence)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", _model);
            json.WriteString("prompt", _prompt);
            json.WriteNumber("max_tokens", _maxTokens);
            json.WriteNumber("temperature", 0.8);
            json.WriteNumber("seed", sequence);
            json.WriteBoolean("stream", _stream);
            if (_strategy is { } strategy)
            {
                json.WriteString("strategy", strategy.WireName());
                if (_n > 1)
                {
                    json.WriteNumber("n", _n);
                }
            }

            json.WriteEndObject();
        }

        var request = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = new ByteArrayContent(buffer.ToArray()) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        if (_authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", _authorization);
        }

        return request;
    }

    public async ValueTask<BodyReading> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (!_stream)
            {
                using var document = await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
                var root = document.RootElement;
                var tokens = root.TryGetProperty("usage", out var usage) && usage.TryGetProperty("completion_tokens", out var ct) ? ct.GetInt32() : 0;
                var ok = root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0 && Text(choices[0]).Length > 0;
                return new BodyReading(ok, tokens);
            }

            using var reader = new StreamReader(stream, Encoding.UTF8);
            var count = 0;
            long first = 0;
            var done = false;
            int? usageTokens = null;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue;
                }

                var data = line.AsSpan(5).Trim();
                if (data.SequenceEqual("[DONE]"))
                {
                    done = true;
                    break;
                }

                using var chunk = JsonDocument.Parse(data.ToString());
                if (chunk.RootElement.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0 && Text(choices[0]).Length > 0)
                {
                    if (first == 0)
                    {
                        first = Stopwatch.GetTimestamp();
                    }

                    count++;
                }

                if (chunk.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("completion_tokens", out var ct))
                {
                    usageTokens = ct.GetInt32();
                }
            }

            return new BodyReading(done && count > 0, usageTokens ?? count, first);
        }
    }

    private static string Text(JsonElement choice)
    {
        if (choice.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
        {
            return text.GetString()!;
        }

        if (choice.TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        return choice.TryGetProperty("message", out var message) && message.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
    }
}
