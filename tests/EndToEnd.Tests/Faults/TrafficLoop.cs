using System.Diagnostics;
using System.Net;

namespace BenchPlatform.EndToEnd.Tests.Faults;

/// <summary>
/// Steady traffic through the gateway during a fault: a few clients send requests back to back until told to stop
/// (or a hard cap passes), each request with its own timeout; every outcome is classified by a check
/// for 200s, and 503s must carry <c>Retry-After</c> and problem+json. A request that outlives its timeout is a hang.
/// </summary>
public sealed class TrafficLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task[] _clients;
    private readonly HttpClient _http;

    /// <param name="gateway">The gateway's base address.</param>
    /// <param name="request">Makes request number <c>i</c>.</param>
    /// <param name="check">For a 200 of request <c>i</c>: null when the body is the correct answer, else what is wrong.</param>
    /// <param name="clients">Concurrent clients.</param>
    /// <param name="requestTimeout">Past this a request counts as hung.</param>
    /// <param name="cap">The loop stops by itself after this long.</param>
    public TrafficLoop(
        Uri gateway, Func<int, HttpRequestMessage> request, Func<int, string, string?> check,
        int clients = 3, TimeSpan? requestTimeout = null, TimeSpan? cap = null)
    {
        _http = new HttpClient { BaseAddress = gateway, Timeout = Timeout.InfiniteTimeSpan };
        _stop = new CancellationTokenSource(cap ?? TimeSpan.FromSeconds(150));
        var timeout = requestTimeout ?? TimeSpan.FromSeconds(45);
        var next = -1;
        _clients = [.. Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                await SendOneAsync(i, request, check, timeout);
            }
        }))];
    }

    /// <summary>The outcomes so far.</summary>
    public TrafficReport Report { get; } = new();

    /// <summary>Correct answers seen after the fault cleared, counted by the test to prove recovery.</summary>
    public long OkSince(long mark) => Report.Ok - mark;

    /// <summary>Stops the clients (each finishes its request in flight) and returns the report.</summary>
    public async Task<TrafficReport> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
        return Report;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _http.Dispose();
    }

    private async Task SendOneAsync(int i, Func<int, HttpRequestMessage> request, Func<int, string, string?> check, TimeSpan timeout)
    {
        Report.CountSent();
        var started = Stopwatch.GetTimestamp();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            using var message = request(i);
            using var response = await _http.SendAsync(message, cts.Token);
            var body = await response.Content.ReadAsStringAsync(cts.Token);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK when check(i, body) is { } wrong:
                    Report.Failures.Enqueue($"#{i} wrong answer: {wrong}");
                    break;
                case HttpStatusCode.OK:
                    Report.CountOk();
                    break;
                case HttpStatusCode.ServiceUnavailable
                    when response.Headers.RetryAfter is not null && response.Content.Headers.ContentType?.MediaType == "application/problem+json":
                    Report.CountUnavailable();
                    break;
                default:
                    Report.Failures.Enqueue($"#{i} {(int)response.StatusCode} (Retry-After {response.Headers.RetryAfter?.ToString() ?? "none"}): {Truncate(body)}");
                    break;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Report.Failures.Enqueue($"#{i} hung: no answer within {timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException ex)
        {
            Report.Failures.Enqueue($"#{i} connection failed after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s: {ex.Message}");
        }
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
