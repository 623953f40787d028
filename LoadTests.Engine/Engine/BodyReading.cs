namespace BenchPlatform.LoadTests.Engine;

/// <summary>What a request source found in a response body.</summary>
/// <param name="Ok">False when the body says the request failed although the status was 2xx.</param>
/// <param name="Tokens">Generated tokens (text generation), else 0.</param>
/// <param name="FirstTokenTimestamp">The <see cref="System.Diagnostics.Stopwatch"/> timestamp of the first token, else 0.</param>
/// <param name="Class">A class the body names (a code block's <c>start</c>), overriding <c>Server-Timing</c>'s.</param>
public readonly record struct BodyReading(bool Ok, int Tokens = 0, long FirstTokenTimestamp = 0, RequestClass? Class = null)
{
    /// <summary>A body read to its end with nothing to say.</summary>
    public static BodyReading Drained { get; } = new(true);
}
