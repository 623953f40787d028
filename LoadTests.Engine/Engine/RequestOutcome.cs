namespace BenchPlatform.LoadTests.Engine;

/// <summary>What became of one request that the generator sent.</summary>
public enum RequestOutcome : byte
{
    /// <summary>A 2xx response, read to its end.</summary>
    Ok = 0,

    /// <summary>A response outside 2xx.</summary>
    HttpError = 1,

    /// <summary>No response within the request timeout.</summary>
    Timeout = 2,

    /// <summary>The connection failed or the response could not be read.</summary>
    Failed = 3,
}
