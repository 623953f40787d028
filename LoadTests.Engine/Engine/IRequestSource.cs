namespace BenchPlatform.LoadTests.Engine;

/// <summary>What a scenario sends and how it reads the answer; the engine owns timing, counting and recording.</summary>
public interface IRequestSource
{
    /// <summary>A new request for this sequence number; the engine adds the <c>traceparent</c> and disposes it.</summary>
    HttpRequestMessage Create(long sequence);

    /// <summary>Reads a 2xx response body to its end and says what it held (tokens, a class the body names, success).</summary>
    ValueTask<BodyReading> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken);
}
