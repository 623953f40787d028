namespace BenchPlatform.LoadTests.Engine;

/// <summary>How the server says a request was served, from its <c>Server-Timing</c> (or a scenario's own reading of the body).</summary>
public enum RequestClass : byte
{
    /// <summary>Served by a loaded replica or a warm jail: queueing, transfer and compute only.</summary>
    Warm = 0,

    /// <summary>The request waited for a replica, a model load or a fresh jail (<c>cold;dur=…</c>).</summary>
    Cold = 1,

    /// <summary>Answered from the prediction cache (<c>cache;desc=hit</c>).</summary>
    CacheHit = 2,

    /// <summary>No answer, a timeout, or a status outside 2xx.</summary>
    Error = 3,
}
