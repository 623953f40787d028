using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.LoadTests;

/// <summary>
/// What an iteration or a step returns: <see cref="Ok()"/> or <see cref="Fail(string?, int)"/>. Successful responses
/// are cached instances, so returning one allocates nothing.
/// </summary>
public sealed class Response
{
    private static readonly Response OkNoStatus = new(false, 0, null, RequestOutcome.Ok);
    private static readonly Response[] OkByStatus = CreateOkByStatus();

    private Response(bool isError, int statusCode, string? message, RequestOutcome outcome)
    {
        IsError = isError;
        StatusCode = statusCode;
        Message = message;
        Outcome = outcome;
    }

    /// <summary>Whether the iteration or step failed.</summary>
    public bool IsError { get; }

    /// <summary>The HTTP status when there was one, else 0.</summary>
    public int StatusCode { get; }

    /// <summary>Why it failed (shown in the report's failure table), else null.</summary>
    public string? Message { get; }

    internal RequestOutcome Outcome { get; }

    /// <summary>A success.</summary>
    public static Response Ok() => OkNoStatus;

    /// <summary>A success with an HTTP status (2xx statuses are cached).</summary>
    public static Response Ok(int statusCode) =>
        statusCode is >= 200 and < 300 ? OkByStatus[statusCode - 200] : new Response(false, statusCode, null, RequestOutcome.Ok);

    /// <summary>A failure; <paramref name="message"/> is counted in the report, <paramref name="statusCode"/> when HTTP said so.</summary>
    public static Response Fail(string? message = null, int statusCode = 0) =>
        new(true, statusCode, message, statusCode is > 0 and not (>= 200 and < 300) ? RequestOutcome.HttpError : RequestOutcome.Failed);

    internal static Response Timeout(string message) => new(true, 0, message, RequestOutcome.Timeout);

    private static Response[] CreateOkByStatus()
    {
        var cache = new Response[100];
        for (var i = 0; i < cache.Length; i++)
        {
            cache[i] = new Response(false, 200 + i, null, RequestOutcome.Ok);
        }

        return cache;
    }
}
