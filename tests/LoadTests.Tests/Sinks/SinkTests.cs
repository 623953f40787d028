using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BenchPlatform.LoadTests.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;

namespace BenchPlatform.LoadTests.Tests.Sinks;

public sealed class SinkTests
{
    [Fact]
    public async Task LiveSink_ToFile_AppendsOneJsonLinePerScenarioEveryInterval()
    {
        await using var server = await ScriptedServer.StartAsync();
        var folder = Directory.CreateTempSubdirectory("lt-live-");
        try
        {
            var path = Path.Combine(folder.FullName, "live.jsonl");
            var scenario = Scenario.Create("live", async ctx => await Http.Send(ctx, new HttpRequestMessage(HttpMethod.Get, new Uri(server.Url, "/fast"))))
                .WithLoadSimulations(Simulation.Inject(50, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5)));

            var interval = TimeSpan.FromMilliseconds(300);
            var started = Stopwatch.GetTimestamp();
            await LoadTestRunner.RegisterScenarios(scenario).WithReportingSinks(LiveSink.ToFile(path)).WithReportingInterval(interval).RunAsync();
            var elapsed = Stopwatch.GetElapsedTime(started);

            // A line every interval while the run lasts (1.5 s of load, longer on a busy machine): never more often, and as
            // many as the wall time allows (a busy machine delays the timer, so the lower bound is loose).
            var lines = await File.ReadAllLinesAsync(path);
            Assert.InRange(lines.Length, 2, (int)(elapsed / interval) + 2);
            var previous = (Seconds: 0.0, Completed: 0L);
            foreach (var line in lines)
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                Assert.Equal("live", root.GetProperty("scenario").GetString());
                var (seconds, completed) = (root.GetProperty("elapsed_s").GetDouble(), root.GetProperty("completed").GetInt64());
                Assert.True(seconds - previous.Seconds >= 0.29, $"lines at {previous.Seconds} s and {seconds} s: closer than the interval");

                // After the first, each line's rate is what completed since the line before over the time between them (a
                // cold process's first requests finish in a burst, so the rate itself is not bounded here).
                var rps = root.GetProperty("rps").GetDouble();
                Assert.True(completed >= previous.Completed, "completed only grows");
                if (previous.Seconds > 0)
                {
                    Assert.Equal((completed - previous.Completed) / (seconds - previous.Seconds), rps, (rps * 0.1) + 1);
                }

                previous = (seconds, completed);
            }

            Assert.True(previous.Completed > 0, "the lines show the completions while the load ran");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task OtlpMetricsSink_ExportsRateLatencyAndErrorsPerScenarioToTheCollector()
    {
        await using var server = await ScriptedServer.StartAsync();
        var bodies = new ConcurrentQueue<byte[]>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = builder.Build();
        collector.MapPost("/v1/metrics", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            bodies.Enqueue(body.ToArray());
            return Microsoft.AspNetCore.Http.Results.Ok();
        });
        await collector.StartAsync();
        var endpoint = new Uri(collector.Urls.First());

        var scenario = Scenario.Create("otlp-scenario", async ctx => await Http.Send(ctx, new HttpRequestMessage(HttpMethod.Get, new Uri(server.Url, ctx.InvocationNumber % 5 == 0 ? "/status?code=500" : "/fast"))))
            .WithLoadSimulations(Simulation.Inject(50, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5)));
        await LoadTestRunner.RegisterScenarios(scenario)
            .WithReportingSinks(new OtlpMetricsSink(endpoint, OtlpExportProtocol.HttpProtobuf, TimeSpan.FromMilliseconds(300)))
            .WithReportingInterval(TimeSpan.FromMilliseconds(250))
            .RunAsync();

        // OTLP/protobuf carries names and attribute values as plain UTF-8.
        var all = string.Join('\n', bodies.Select(Encoding.UTF8.GetString));
        Assert.False(bodies.IsEmpty, "the collector received no export");
        foreach (var expected in new[] { "loadtests.requests_per_second", "loadtests.errors_per_second", "loadtests.latency", "loadtests.requests", "otlp-scenario", "p99", "loadtests" })
        {
            Assert.Contains(expected, all, StringComparison.Ordinal);
        }
    }
}
