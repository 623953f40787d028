namespace BenchPlatform.LoadTests.Engine;

/// <summary>The prediction cache's answer as <c>Server-Timing: cache;desc=…</c> reports it.</summary>
public enum CacheState : byte
{
    /// <summary>The server said nothing about its cache.</summary>
    None = 0,

    /// <summary><c>cache;desc=hit</c>.</summary>
    Hit = 1,

    /// <summary><c>cache;desc=miss</c>.</summary>
    Miss = 2,
}
