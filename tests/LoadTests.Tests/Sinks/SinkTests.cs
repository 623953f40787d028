using System.Collections.Concurrent;
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

            await LoadTestRunner.RegisterScenarios(scenario).WithReportingSinks(LiveSink.ToFile(path)).WithReportingInterval(TimeSpan.FromMilliseconds(300)).RunAsync();

            var lines = await File.ReadAllLinesAsync(path);
            Assert.InRange(lines.Length, 3, 6);
            var rps = new List<double>();
            foreach (var line in lines)
            {
                using var json = JsonDocument.Parse(line);
                Assert.Equal("live", json.RootElement.GetProperty("scenario").GetString());
                rps.Add(json.RootElement.GetProperty("rps").GetDouble());
            }

            // While the load runs, each interval completes about 50/s.
            Assert.Contains(rps, r => r is > 25 and < 100);
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
