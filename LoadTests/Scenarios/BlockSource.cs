using System.Text.Json;
using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary><c>POST /v1/blocks/run</c> with a fixed block; the class comes from the result's <c>start</c> (cold or warm jail).</summary>
public sealed class BlockSource : IRequestSource
{
    private readonly Uri _uri;
    private readonly byte[] _body;
    private readonly string? _authorization;

    public BlockSource(Uri uri, string code, int loop, string? apiKey)
    {
        _uri = uri;
        _authorization = apiKey is null ? null : "Bearer " + apiKey;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("language", "python");
            json.WriteString("code", code);
            json.WriteString("entrypoint", "run");
            json.WriteStartObject("inputs");
            json.WriteNumber("n", loop);
            json.WriteEndObject();
            json.WriteStartObject("limits");
            json.WriteNumber("timeout_ms", 10000);
            json.WriteNumber("memory_mb", 256);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        _body = buffer.ToArray();
    }

    /// <summary>A block whose cost grows with <c>inputs["n"]</c>.</summary>
    public const string LoopCode = "def run(inputs):\n    total = 0\n    for i in range(inputs[\"n\"]):\n        total += i\n    return {\"total\": total}\n";

    public HttpRequestMessage Create(long sequence)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = new ByteArrayContent(_body) };
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
            using var document = await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
            var root = document.RootElement;
            var ok = root.TryGetProperty("status", out var status) && status.GetString() == "ok";
            RequestClass? start = root.TryGetProperty("start", out var s) ? s.GetString() == "cold" ? RequestClass.Cold : RequestClass.Warm : null;
            return new BodyReading(ok, Class: start);
        }
    }
}
