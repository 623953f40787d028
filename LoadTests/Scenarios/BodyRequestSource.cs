using BenchPlatform.LoadTests.Engine;
using BenchPlatform.Protocol.Inference;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>
/// Sends the same prepared body (or none) to one URL; the body bytes are shared by every request. A body of
/// <see cref="ExpectContinueFrom"/> bytes or more is sent after the server's <c>100 Continue</c>, as curl does: a server
/// that refuses the request (overloaded, unknown model) answers before the body is uploaded, which would otherwise cost
/// client and server more than the refusal itself.
/// </summary>
public sealed class BodyRequestSource : IRequestSource
{
    /// <summary>The body size from which requests carry <c>Expect: 100-continue</c> (curl's threshold: 1 MiB).</summary>
    public const int ExpectContinueFrom = 1 << 20;

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
            if (_body.Length >= ExpectContinueFrom)
            {
                request.Headers.ExpectContinue = true;
            }
        }

        if (_binaryHeader is not null)
        {
            request.Headers.TryAddWithoutValidation(InferBodyReader.BinaryHeader, _binaryHeader);
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
