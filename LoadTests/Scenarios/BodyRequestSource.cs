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

    public BodyRequestSource(HttpMethod method, Uri uri, byte[]? body, string contentType, string? apiKey)
    {
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
