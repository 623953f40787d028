using System.Runtime.CompilerServices;
using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.LoadTests;

/// <summary>
/// HTTP calls from a scenario through the runner's shared client. Each call carries the iteration's <c>traceparent</c>;
/// its status, time to first byte and <c>Server-Timing</c> phases (gateway, queue, cold, load, infer, cache) are recorded
/// on the running step (or the iteration), so cold and warm requests and cache hits are told apart in every report.
/// </summary>
public static class Http
{
    /// <summary>Sends <paramref name="request"/> (disposed here), reads the body to its end; a status outside 2xx is a failure.</summary>
    public static ValueTask<Response> Send(IScenarioContext context, HttpRequestMessage request) => Send(context, request, null);

    /// <summary>
    /// Sends <paramref name="request"/> (disposed here); a 2xx body is given to <paramref name="read"/> (tokens, a class the
    /// body names, success), any other status is drained and is a failure.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<Response> Send(IScenarioContext context, HttpRequestMessage request, Func<HttpResponseMessage, CancellationToken, ValueTask<BodyReading>>? read)
    {
        var iteration = Iteration(context);
        using (request)
        {
            ref var record = ref iteration.Active;
            request.Headers.TryAddWithoutValidation("traceparent", TraceParent.Format(record.TraceHigh, record.TraceLow));
            var token = iteration.CancellationToken;
            using var response = await iteration.Client.SendAsync(request, token).ConfigureAwait(false);
            iteration.OnResponse(response);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                await BodyDrain.DrainAsync(response.Content, token).ConfigureAwait(false);
                return Response.Fail(HttpStatusText.Of(status), status);
            }

            var reading = read is null ? await DrainAsync(response, token).ConfigureAwait(false) : await read(response, token).ConfigureAwait(false);
            iteration.OnBody(reading);
            return reading.Ok ? Response.Ok(status) : Response.Fail($"HTTP {status}, but the body says the request failed", status);
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the response for the caller to read and dispose; status, first byte and
    /// server phases are recorded. Use it when a later step needs the body (an uploaded model's version).
    /// </summary>
    public static async Task<HttpResponseMessage> SendAsync(IScenarioContext context, HttpRequestMessage request)
    {
        var iteration = Iteration(context);
        ref var record = ref iteration.Active;
        request.Headers.TryAddWithoutValidation("traceparent", TraceParent.Format(record.TraceHigh, record.TraceLow));
        var response = await iteration.Client.SendAsync(request, iteration.CancellationToken).ConfigureAwait(false);
        iteration.OnResponse(response);
        return response;
    }

    /// <summary>
    /// Sends a request prepared by a <see cref="LeanHttpClient"/> (the engine's full capacity: no
    /// <see cref="HttpRequestMessage"/>, no <see cref="HttpClient"/>) and drains the body; a status outside 2xx is a
    /// failure. Status, first byte, <c>Server-Timing</c> phases and <c>traceparent</c> as for an <see cref="HttpRequestMessage"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<Response> Send(IScenarioContext context, LeanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var iteration = Iteration(context);
        var status = await request.Client.SendAsync(request, iteration, iteration.CancellationToken).ConfigureAwait(false);
        return status is >= 200 and < 300 ? Response.Ok(status) : Response.Fail(HttpStatusText.Of(status), status);
    }

    /// <summary>One request from a request source (the CLI's scenarios).</summary>
    internal static ValueTask<Response> Send(IScenarioContext context, IRequestSource source) =>
        Send(context, source.Create(context.InvocationNumber), source.ReadAsync);

    private static async ValueTask<BodyReading> DrainAsync(HttpResponseMessage response, CancellationToken token)
    {
        await BodyDrain.DrainAsync(response.Content, token).ConfigureAwait(false);
        return BodyReading.Drained;
    }

    private static IterationContext Iteration(IScenarioContext context) =>
        context as IterationContext ?? throw new ArgumentException("Http.Send needs the context the runner passed to the scenario (ctx in Scenario.Create(name, async ctx => ...)).", nameof(context));
}
