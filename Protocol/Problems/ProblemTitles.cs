namespace BenchPlatform.Protocol.Problems;

/// <summary>
/// The titles of the <c>application/problem+json</c> refusals that more than one service answers with, as docs/api.md
/// lists them. A client may switch on a title; the gateway and the worker take them from here.
/// </summary>
public static class ProblemTitles
{
    /// <summary>400 from the gateway: a JSON body of the wrong shape (with <c>field</c>).</summary>
    public const string InvalidRequest = "Invalid request";

    /// <summary>400: an infer body that the one infer-body reader refuses (gateway and worker alike).</summary>
    public const string InvalidInferenceRequest = "Invalid inference request";

    /// <summary>400: the bytes after the JSON part of a binary tensor data body do not fit the inputs.</summary>
    public const string InvalidBinaryTensorData = "Invalid binary tensor data";

    /// <summary>400: the <c>Request-Timeout</c> header is not a number of seconds in range.</summary>
    public const string InvalidRequestTimeout = "Invalid request timeout";

    /// <summary>413: the body is over the endpoint's cap.</summary>
    public const string BodyTooLarge = "Body too large";

    /// <summary>415: a body of another media type.</summary>
    public const string UnsupportedContentType = "Unsupported content type";

    /// <summary>503: the request was refused to keep latency bounded; retry after <c>Retry-After</c>.</summary>
    public const string Overloaded = "Overloaded";

    /// <summary>504: the request's deadline passed before it ran.</summary>
    public const string DeadlineExceeded = "Deadline exceeded";

    /// <summary>404: no model (or version) with that name.</summary>
    public const string ModelNotFound = "Model not found";

    /// <summary>503: PostgreSQL does not answer.</summary>
    public const string RegistryUnavailable = "Registry unavailable";
}
