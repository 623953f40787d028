using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BenchPlatform.LoadTests.Tests.Support;

/// <summary>
/// A Kestrel server on a real loopback socket with scripted behaviour: a stall after the Nth request, delays,
/// every Server-Timing class, statuses; it records when each request arrived and the most it ever had in flight.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _count;
    private int _inFlight;
    private int _maxInFlight;
    private long _stallUntil;

    private ScriptedServer(WebApplication app)
    {
        _app = app;
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>Stopwatch timestamps at which requests arrived.</summary>
    public ConcurrentQueue<long> Arrivals { get; } = new();

    public long Count => Interlocked.Read(ref _count);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>The request number (1-based) whose arrival starts the stall; 0 for none.</summary>
    public long StallAfter { get; set; }

    public TimeSpan StallFor { get; set; }

    /// <summary>When the stall began (Stopwatch timestamp), once it has.</summary>
    public long StallStartedAt { get; private set; }

    /// <summary>Delay of <c>/global</c>, changeable between runs.</summary>
    public TimeSpan GlobalDelay { get; set; }

    public static async Task<ScriptedServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new ScriptedServer(app);
        app.Use(async (context, next) =>
        {
            server.Arrivals.Enqueue(Stopwatch.GetTimestamp());
            var n = Interlocked.Increment(ref server._count);
            var now = Interlocked.Increment(ref server._inFlight);
            int max;
            while (now > (max = Volatile.Read(ref server._maxInFlight)) && Interlocked.CompareExchange(ref server._maxInFlight, now, max) != max)
            {
            }

            try
            {
                if (server.StallAfter > 0 && n == server.StallAfter)
                {
                    server.StallStartedAt = Stopwatch.GetTimestamp();
                    Interlocked.Exchange(ref server._stallUntil, server.StallStartedAt + (long)(server.StallFor.TotalSeconds * Stopwatch.Frequency));
                }

                var wait = Interlocked.Read(ref server._stallUntil) - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency));
                }

                await next(context);
            }
            finally
            {
                Interlocked.Decrement(ref server._inFlight);
            }
        });
        app.MapGet("/fast", () => "ok");
        app.MapGet("/delay", async (int ms) =>
        {
            await Task.Delay(ms);
            return "ok";
        });
        app.MapGet("/global", async () =>
        {
            await Task.Delay(server.GlobalDelay);
            return "ok";
        });
        app.MapGet("/status", (int code) => Microsoft.AspNetCore.Http.Results.StatusCode(code));
        // Every third request of each kind: cold, cache hit, warm (by arrival order).
        app.MapGet("/timing", (HttpContext context) =>
        {
            var n = Interlocked.Read(ref server._count);
            context.Response.Headers["Server-Timing"] = (n % 3) switch
            {
                0 => "gateway;dur=0.1, queue;dur=0.0, cold;dur=850, infer;dur=0.4",
                1 => "gateway;dur=0.1, cache;desc=hit",
                _ => "gateway;dur=0.2, queue;dur=0.1, cache;desc=miss, infer;dur=0.5",
            };
            return "ok";
        });
        await app.StartAsync();
        server.Url = new Uri(app.Urls.First());
        return server;
    }

    /// <summary>How many requests arrived between two Stopwatch timestamps.</summary>
    public int ArrivedBetween(long from, long to) => Arrivals.Count(t => t >= from && t < to);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
