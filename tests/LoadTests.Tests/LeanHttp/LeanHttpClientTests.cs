using System.Diagnostics;
using System.Net;
using System.Text;
using BenchPlatform.LoadTests.Tests.Support;

namespace BenchPlatform.LoadTests.Tests.LeanHttp;

/// <summary>LeanHttpClient on real sockets: Kestrel, and a raw TCP server that writes exactly the bytes a test scripts.</summary>
public sealed class LeanHttpClientTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Send_KestrelManyRequestsOneAtATime_ReusesOneConnection()
    {
        await using var server = await ScriptedServer.StartAsync();
        using var client = new LeanHttpClient(server.Url);
        var fast = client.Prepare(HttpMethod.Get, "/fast");

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(200, await client.SendAsync(fast).AsTask().WaitAsync(NoHang));
        }

        Assert.Equal(404, await client.SendAsync(client.Prepare(HttpMethod.Get, "/missing")).AsTask().WaitAsync(NoHang));
        Assert.Equal(20 + 1, server.Count);
        Assert.Equal(1, client.ConnectionsOpened);
        Assert.Equal(1, client.OpenConnections);
    }

    [Fact]
    public async Task Send_PostWithBody_SendsTheHeadOnceBuiltWithContentLengthAndAFreshTraceparentEachTime()
    {
        await using var server = new RawHttpServer(Answer("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"));
        using var client = new LeanHttpClient(server.Url);
        var small = client.Prepare(HttpMethod.Post, "/v2/models/mlp/infer?x=1", Encoding.ASCII.GetBytes("{\"a\":1}"), "application/json", [new("X-Api-Key", "k")]);
        var large = client.Prepare(HttpMethod.Put, "/upload", new byte[100_000]);

        Assert.Equal(201, await client.SendAsync(small).AsTask().WaitAsync(NoHang));
        Assert.Equal(201, await client.SendAsync(small).AsTask().WaitAsync(NoHang));
        Assert.Equal(201, await client.SendAsync(large).AsTask().WaitAsync(NoHang));

        var requests = server.Requests.ToArray();
        Assert.Equal(3, requests.Length);
        var lines = requests[0].Head.Split("\r\n");
        Assert.Equal("POST /v2/models/mlp/infer?x=1 HTTP/1.1", lines[0]);
        Assert.Contains($"Host: 127.0.0.1:{server.Url.Port}", lines);
        Assert.Contains("X-Api-Key: k", lines);
        Assert.Contains("Content-Type: application/json", lines);
        Assert.Contains("Content-Length: 7", lines);
        Assert.Equal("{\"a\":1}", Encoding.ASCII.GetString(requests[0].Body));
        Assert.Equal(100_000, requests[2].Body.Length);
        var traces = requests.Select(r => r.Head.Split("\r\n").Single(l => l.StartsWith("traceparent: ", StringComparison.Ordinal))).ToArray();
        Assert.All(traces, t => Assert.Matches("^traceparent: 00-[0-9a-f]{32}-[0-9a-f]{16}-01$", t));
        Assert.Equal(3, traces.Distinct().Count());
        Assert.Equal([0, 1, 2], requests.Select(r => r.IndexOnConnection));
    }

    [Fact]
    public async Task Send_ChunkedBodySplitAcrossWrites_ReadsToTheLastChunkAndTrailerThenReusesTheConnection()
    {
        // Chunk sizes in hex with an extension, a trailer, and the bytes written a few at a time.
        const string Response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer-Timing: infer;dur=1\r\n\r\n"
            + "5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n";
        await using var server = new RawHttpServer(async (_, stream) =>
        {
            var bytes = Encoding.ASCII.GetBytes(Response);
            for (var i = 0; i < bytes.Length; i += 7)
            {
                await stream.WriteAsync(bytes.AsMemory(i, Math.Min(7, bytes.Length - i)));
                await stream.FlushAsync();
                await Task.Delay(1);
            }

            return true;
        });
        using var client = new LeanHttpClient(server.Url);
        var get = client.Prepare(HttpMethod.Get, "/");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, await client.SendAsync(get).AsTask().WaitAsync(NoHang));
        }

        Assert.Equal(1, server.Connections);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Send_ContentLengthBodyLargerThanTheBuffer_DrainsItAllAndReusesTheConnection()
    {
        var body = new string('x', 300_000);
        await using var server = new RawHttpServer(Answer($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
        using var client = new LeanHttpClient(server.Url);
        var get = client.Prepare(HttpMethod.Get, "/big");

        Assert.Equal(200, await client.SendAsync(get).AsTask().WaitAsync(NoHang));
        Assert.Equal(200, await client.SendAsync(get).AsTask().WaitAsync(NoHang));

        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task Send_ServerSaysConnectionClose_OpensANewConnectionForTheNextRequest()
    {
        await using var server = new RawHttpServer(Answer("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", keepOpen: false));
        using var client = new LeanHttpClient(server.Url);
        var get = client.Prepare(HttpMethod.Get, "/");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, await client.SendAsync(get).AsTask().WaitAsync(NoHang));
        }

        Assert.Equal(3, server.Connections);
        Assert.Equal(0, client.OpenConnections);
    }

    [Fact]
    public async Task Send_ServerClosedAKeptAliveConnectionSilently_SendsAgainOnANewConnection()
    {
        // Keep-alive by the headers, then the server closes (an idle timeout): the next request finds the connection dead.
        await using var server = new RawHttpServer(Answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", keepOpen: false));
        using var client = new LeanHttpClient(server.Url);
        var get = client.Prepare(HttpMethod.Get, "/");

        Assert.Equal(200, await client.SendAsync(get).AsTask().WaitAsync(NoHang));
        Assert.Equal(200, await client.SendAsync(get).AsTask().WaitAsync(NoHang));
        Assert.Equal(200, await client.SendAsync(get).AsTask().WaitAsync(NoHang));

        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(3, client.ConnectionsOpened);
    }

    [Fact]
    public async Task Send_NoAnswer_CancellationEndsItWithinTheTimeoutAndClosesTheConnection()
    {
        await using var server = new RawHttpServer(async (_, _) =>
        {
            await Task.Delay(Timeout.Infinite);
            return true;
        });
        using var client = new LeanHttpClient(server.Url);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = Stopwatch.GetTimestamp();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(client.Prepare(HttpMethod.Get, "/"), timeout.Token).AsTask().WaitAsync(NoHang));

        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
        Assert.Equal(0, client.OpenConnections);
    }

    [Theory]
    [InlineData("garbage\r\n\r\n", "is not HTTP/1.x: its first line is 'garbage'")]
    [InlineData("HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n", "its first line is 'HTTP/1.1 2OO OK'")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "malformed Content-Length 'ten'")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "malformed header line 'no colon here'")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed chunk size line 'zz'")]
    public async Task Send_MalformedResponse_FailsAtOnceNamingWhatTheServerSent(string response, string expected)
    {
        await using var server = new RawHttpServer(Answer(response));
        using var client = new LeanHttpClient(server.Url);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(client.Prepare(HttpMethod.Get, "/")).AsTask().WaitAsync(NoHang));

        Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, client.OpenConnections);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Le", "closed the connection before the end of the response head")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "closed the connection 3 bytes into a 10-byte body")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", "closed the connection 3 bytes into a 5-byte body")]
    [InlineData("", "closed the connection before sending a response")]
    public async Task Send_ServerClosesMidResponse_FailsAtOnceSayingWhere(string response, string expected)
    {
        await using var server = new RawHttpServer(Answer(response, keepOpen: false));
        using var client = new LeanHttpClient(server.Url);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(client.Prepare(HttpMethod.Get, "/")).AsTask().WaitAsync(NoHang));

        Assert.Equal(HttpRequestError.ResponseEnded, error.HttpRequestError);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_NothingListening_FailsAsAConnectionErrorNamingTheAddress()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new LeanHttpClient(new Uri($"http://127.0.0.1:{port}/"));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(client.Prepare(HttpMethod.Get, "/")).AsTask().WaitAsync(NoHang));

        Assert.Equal(HttpRequestError.ConnectionError, error.HttpRequestError);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_HttpsOrAForeignPath_ThrowsNamingTheFix()
    {
        var https = Assert.Throws<ArgumentException>(() => new LeanHttpClient(new Uri("https://127.0.0.1/")));
        Assert.Contains("plain HTTP/1.1 only", https.Message, StringComparison.Ordinal);
        using var client = new LeanHttpClient(new Uri("http://127.0.0.1:8080/"));
        Assert.Throws<ArgumentException>(() => client.Prepare(HttpMethod.Get, "http://example.com/"));
        Assert.Throws<ArgumentException>(() => client.Prepare(HttpMethod.Get, "/", headers: [new("Content-Length", "3")]));
        Assert.Throws<ArgumentException>(() => client.Prepare(HttpMethod.Get, "/", headers: [new("X-Bad", "a\r\nInjected: 1")]));
        Assert.Throws<ArgumentException>(() => client.Prepare(HttpMethod.Post, "/", new byte[1], "text/plain\r\nInjected: 1"));
    }

    [Fact]
    public async Task Run_ScenarioOverLeanClient_ClassesByServerTimingSendsTheIterationsTraceIdAndReusesConnections()
    {
        await using var server = await ScriptedServer.StartAsync();
        using var client = new LeanHttpClient(server.Url);
        var timing = client.Prepare(HttpMethod.Get, "/timing");
        var scenario = Scenario.Create("lean", async ctx => await Step.Run("call", ctx, async () => await Http.Send(ctx, timing)))
            .WithLoadSimulations(Simulation.IterationsForConstant(1, 90));

        var stats = await LoadTestRunner.RegisterScenarios(scenario).RunAsync();

        var call = stats.GetScenarioStats("lean").GetStepStats("call");
        Assert.Equal(90, call.Ok.Request.Count);
        Assert.Equal(30, call.Summary.Classes["cold"].Corrected.Count);
        Assert.Equal(30, call.Summary.Classes["cache_hit"].Corrected.Count);
        Assert.Equal(30, call.Summary.Classes["warm"].Corrected.Count);
        Assert.Equal(850, call.Summary.Phases["cold"].P50, 0);
        Assert.Equal(1, client.ConnectionsOpened);
    }

    [Fact]
    public async Task Run_OpenModelOverLeanClient_SendsEveryDueIterationOverNoMoreConnectionsThanRequestsInFlight()
    {
        await using var server = await ScriptedServer.StartAsync();
        using var client = new LeanHttpClient(server.Url);
        var delayed = client.Prepare(HttpMethod.Get, "/delay?ms=20");
        var (inFlight, most) = (0, 0);
        var scenario = Scenario.Create("open", async ctx =>
            {
                var now = Interlocked.Increment(ref inFlight);
                for (var seen = Volatile.Read(ref most); now > seen && Interlocked.CompareExchange(ref most, now, seen) != seen; seen = Volatile.Read(ref most))
                {
                }

                try
                {
                    return await Http.Send(ctx, delayed);
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            })
            .WithLoadSimulations(Simulation.Inject(rate: 100, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(1)));

        var stats = await LoadTestRunner.RegisterScenarios(scenario).RunAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var open = stats.GetScenarioStats("open");
        Assert.Equal(100, open.Ok.Request.Count);
        Assert.True(open.Ok.Latency.P50 >= 20, $"p50 {open.Ok.Latency.P50} ms for a 20 ms endpoint");
        // A connection per request in flight, kept open and reused: never more connections than requests ever in flight.
        Assert.InRange(client.ConnectionsOpened, 1, most);
        Assert.Equal(client.ConnectionsOpened, client.OpenConnections);
    }

    [Fact]
    public async Task Run_ScenarioOverLeanClient_TraceparentCarriesTheIterationsTraceId()
    {
        await using var server = new RawHttpServer(Answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        using var client = new LeanHttpClient(server.Url);
        var get = client.Prepare(HttpMethod.Get, "/");
        var traceIds = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var scenario = Scenario.Create("trace", async ctx =>
            {
                traceIds.Enqueue(ctx.TraceId);
                return await Http.Send(ctx, get);
            })
            .WithLoadSimulations(Simulation.IterationsForConstant(1, 5));

        var stats = await LoadTestRunner.RegisterScenarios(scenario).RunAsync();

        Assert.Equal(5, stats.GetScenarioStats("trace").Ok.Request.Count);
        var sent = server.Requests.Select(r => r.Head.Split("\r\n").Single(l => l.StartsWith("traceparent: ", StringComparison.Ordinal))[16..48]).ToArray();
        Assert.Equal(traceIds.ToArray(), sent);
    }

    [Fact]
    public async Task Run_ScenarioOverLeanClient_NoAnswerAndMalformedAnswersAreFailuresWithTheirMessages()
    {
        await using var silent = new RawHttpServer(async (_, _) =>
        {
            await Task.Delay(Timeout.Infinite);
            return true;
        });
        await using var broken = new RawHttpServer(Answer("garbage\r\n\r\n"));
        using var silentClient = new LeanHttpClient(silent.Url);
        using var brokenClient = new LeanHttpClient(broken.Url);
        var wait = silentClient.Prepare(HttpMethod.Get, "/");
        var bad = brokenClient.Prepare(HttpMethod.Get, "/");
        var scenario = Scenario.Create("failing", async ctx => ctx.InvocationNumber % 2 == 0 ? await Http.Send(ctx, wait) : await Http.Send(ctx, bad))
            .WithLoadSimulations(Simulation.IterationsForConstant(1, 4));

        var stats = await LoadTestRunner.RegisterScenarios(scenario).WithRequestTimeout(TimeSpan.FromMilliseconds(300)).RunAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var failing = stats.GetScenarioStats("failing");
        Assert.Equal(4, failing.Fail.Request.Count);
        var messages = failing.FailureMessages.ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal(2, messages["timeout: no answer within 0.3 s"]);
        Assert.Equal(2, messages.Single(m => m.Key.StartsWith("HttpRequestException: The response from", StringComparison.Ordinal) && m.Key.Contains("'garbage'", StringComparison.Ordinal)).Value);
    }

    private static Func<RawRequest, System.Net.Sockets.NetworkStream, Task<bool>> Answer(string response, bool keepOpen = true) => async (_, stream) =>
    {
        await RawHttpServer.WriteAsync(stream, response);
        return keepOpen;
    };
}
