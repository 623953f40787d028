using System.Collections.Concurrent;
using System.Text;
using BenchPlatform.TestCommon;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BenchPlatform.Gateway.Tests.Infrastructure;

/// <summary>
/// A small real HTTP server on a loopback port standing in for an inference or sandbox replica. The model
/// name in <c>/v2/models/{model}/…</c> picks a behaviour: <c>echo</c> (anything else), <c>slow</c>, <c>hang</c>,
/// <c>close</c> (drops the connection before answering), <c>close-mid</c> (drops it mid-body), <c>busy</c> (503),
/// <c>unknown</c> (404 problem).
/// </summary>
public sealed class TestReplica : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;
    private int _overUnixSocket;

    private TestReplica(string id, WebApplication app, int port, string? unixSocket)
    {
        Id = id;
        _app = app;
        Address = new Uri($"http://127.0.0.1:{port}/");
        UnixSocket = unixSocket;
    }

    public string Id { get; }

    public Uri Address { get; }

    /// <summary>The Unix domain socket it also listens on, when started with one.</summary>
    public string? UnixSocket { get; }

    /// <summary>Requests that reached a handler other than /health.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Of <see cref="Requests"/>, those that came over <see cref="UnixSocket"/> rather than TCP.</summary>
    public int RequestsOverUnixSocket => Volatile.Read(ref _overUnixSocket);

    /// <summary>Headers of every request received, for token and trace assertions.</summary>
    public ConcurrentQueue<IHeaderDictionary> ReceivedHeaders { get; } = new();

    /// <summary>What <c>/health</c> answers (200 by default).</summary>
    public int HealthStatus { get; set; } = StatusCodes.Status200OK;

    /// <summary>When set, every request behaves as this model name does (e.g. <c>close</c>, <c>busy</c>).</summary>
    public string? ForcedBehavior { get; set; }

    /// <summary>Completes when a request has entered a <c>slow</c> or <c>hang</c> handler.</summary>
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets every <c>slow</c> request finish.</summary>
    public void Release() => _release.TrySetResult();

    /// <summary>Starts a replica on a free loopback port and, when <paramref name="unixSocket"/> is given, on that socket too.</summary>
    public static async Task<TestReplica> StartAsync(string id, string? unixSocket = null)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(unixSocket is null ? [$"http://127.0.0.1:{port}"] : [$"http://127.0.0.1:{port}", $"http://unix:{unixSocket}"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var replica = new TestReplica(id, app, port, unixSocket);
        app.MapGet("/health", (HttpContext context) => Results.StatusCode(replica.HealthStatus));
        app.Map("/{**path}", replica.HandleAsync);
        await app.StartAsync();
        return replica;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        if (context.Connection.RemoteIpAddress is null)
        {
            // Kestrel has no IP address for a peer on a Unix domain socket.
            Interlocked.Increment(ref _overUnixSocket);
        }

        ReceivedHeaders.Enqueue(new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)));
        var path = context.Request.Path.Value ?? "";
        var model = ForcedBehavior ?? (path.StartsWith("/v2/models/", StringComparison.Ordinal) ? path.Split('/')[3] : "");
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        switch (model)
        {
            case "slow":
                Entered.TrySetResult();
                await _release.Task.WaitAsync(context.RequestAborted);
                break;
            case "hang":
                Entered.TrySetResult();
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
                return;
            case "close":
                context.Features.Get<IConnectionLifetimeFeature>()!.Abort();
                return;
            case "close-mid":
                context.Response.ContentLength = 1000;
                await context.Response.WriteAsync("{\"partial\":");
                await context.Response.Body.FlushAsync();
                context.Features.Get<IConnectionLifetimeFeature>()!.Abort();
                return;
            case "busy":
                context.Response.Headers.RetryAfter = "1";
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.WriteAsync("busy");
                return;
            case "unknown":
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                context.Response.ContentType = "application/problem+json";
                await context.Response.WriteAsync("{\"title\":\"Unknown model\",\"status\":404,\"detail\":\"No model named 'unknown'; upload it with POST /v1/models?name=unknown.\"}");
                return;
        }

        context.Response.Headers["Server-Timing"] = "queue;dur=0.1, infer;dur=0.4";
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsJsonAsync(new EchoReply(Id, context.Request.Method, path + context.Request.QueryString, body));
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What the echo replica answers.</summary>
public sealed record EchoReply(string Replica, string Method, string Path, string Body);
