using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>Sends the same prepared body (or none) to one URL; the body bytes are shared by every request.</summary>
public sealed class BodyRequestSource : IRequestSource
{
    private readonly HttpMethod _method;
    private readonly Uri _uri;
    private readonly byte[]? _body;
    private readonly string _contentType;
    private readonly string? _authorization;
    private readonly string? _binaryHeader;

    /// <summary>A source; <paramref name="binaryHeaderLength"/>, for a binary tensor data body, is the JSON header's byte length, sent as <c>Inference-Header-Content-Length</c>.</summary>
    public BodyRequestSource(HttpMethod method, Uri uri, byte[]? body, string contentType, string? apiKey, int? binaryHeaderLength = null)
    {
        _binaryHeader = binaryHeaderLength?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _method = method;
        _uri = uri;
        _body = body;
        _contentType = contentType;
        _authorization = apiKey is null ? null : "Bearer " + apiKey;
    }

    public HttpRequestMessage Create(long sequence)
    {
        var request = new HttpRequestMessage(_method, _uri);
        if (_body is not null)
        {
            request.Content = new ByteArrayContent(_body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", _contentType);
        }

        if (_binaryHeader is not null)
        {
            request.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", _binaryHeader);
        }

        if (_authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", _authorization);
        }

        return request;
    }

    public async ValueTask<BodyReading> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await BodyDrain.DrainAsync(response.Content, cancellationToken).ConfigureAwait(false);
        return BodyReading.Drained;
    }
}
