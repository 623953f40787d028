#:sdk Microsoft.NET.Sdk.Web
// What a refusal of a large upload costs the client and the server (one process, Kestrel + HttpClient on loopback):
// a POST of a 3.84 MB body (a minute of 16 kHz FP32 audio) answered 503 before the body is read, sent
//   keep:   plainly (Kestrel drains the body it did not read, up to 5 s, to keep the connection),
//   close:  plainly, answered with Connection: close (no drain; a new connection per request),
//   expect: with Expect: 100-continue (the answer comes on the headers; the body is never sent).
// Usage: dotnet run bench/refusal-upload.cs [requests per round, default 200] [rounds, default 2]
// Prints per mode and round: latency p50/p99, CPU per request (client + server), wall time.
using System.Diagnostics;
using System.Net.Http.Headers;

var requests = args.Length > 0 ? int.Parse(args[0]) : 200;
var rounds = args.Length > 1 ? int.Parse(args[1]) : 2;
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
var app = builder.Build();
app.Urls.Add("http://127.0.0.1:0");
app.Run(async context =>
{
    if (context.Request.Query["mode"] == "close")
    {
        context.Response.Headers.Connection = "close";
    }

    context.Response.StatusCode = 503;
    context.Response.Headers.RetryAfter = "1";
    await context.Response.WriteAsync("""{"title":"Overloaded"}""");
});
await app.StartAsync();
var address = app.Urls.First();
var body = new byte[3_840_000];
using var http = new HttpClient(new SocketsHttpHandler());
for (var round = 1; round <= rounds; round++)
{
    foreach (var mode in new[] { "keep", "close", "expect" })
    {
        var latencies = new List<double>(requests);
        var wrong = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < requests; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{address}/?mode={mode}") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            request.Headers.ExpectContinue = mode == "expect";
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsStringAsync();
                wrong += (int)response.StatusCode == 503 ? 0 : 1;
            }
            catch (HttpRequestException)
            {
                wrong++;
            }

            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var cpuPerRequest = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / requests;
        latencies.Sort();
        Console.WriteLine($"round {round} {mode,-6} p50={latencies[requests / 2]:0.000} ms p99={latencies[(int)(requests * 0.99)]:0.000} ms " +
            $"cpu/request={cpuPerRequest:0.000} ms wall={wall.ElapsedMilliseconds} ms not-503={wrong}");
    }
}

await app.StopAsync();
