using System.Globalization;
using System.Text.Json;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Reports;
using BenchPlatform.LoadTests.Tests.Support;
using Runner = BenchPlatform.LoadTests.Tests.Support.Cli;

namespace BenchPlatform.LoadTests.Tests.Cli;

public sealed class RunTests
{
    [Fact]
    public async Task Run_WithReport_WritesFilesThatParseAndHoldTheRunsNumbers()
    {
        await using var server = await ScriptedServer.StartAsync();
        var directory = Runner.TempDirectory();
        try
        {
            var (code, output, error) = await Runner.RunAsync("http", "--target", server.Url.ToString(), "--path", "/timing", "--rate", "60", "--duration", "1s", "--warmup", "0.5s", "--report", directory);

            Assert.True(code == ExitCodes.Ok, error);
            Assert.Contains("reports: ", output);

            using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, ReportWriter.Json)));
            var run = json.RootElement.GetProperty("runs")[0];
            Assert.Equal("http", run.GetProperty("scenario").GetString());
            Assert.Equal(60, run.GetProperty("sent").GetInt64());
            Assert.Equal(60, run.GetProperty("ok").GetInt64());
            Assert.Equal(60, run.GetProperty("target_rate").GetDouble());
            var classes = run.GetProperty("classes");
            Assert.Equal(60, classes.GetProperty("all").GetProperty("corrected").GetProperty("count").GetInt64());
            var cold = classes.GetProperty("cold").GetProperty("corrected").GetProperty("count").GetInt64();
            var hits = classes.GetProperty("cache_hit").GetProperty("corrected").GetProperty("count").GetInt64();
            var warm = classes.GetProperty("warm").GetProperty("corrected").GetProperty("count").GetInt64();
            Assert.Equal(60, cold + hits + warm);
            Assert.InRange(cold, 18, 22);
            Assert.Equal(850, run.GetProperty("server_phases_ms").GetProperty("cold").GetProperty("p50").GetDouble(), 0);

            // CSV: one row per request (90 = 30 warm-up + 60 measured), its latencies agreeing with the JSON's percentiles.
            var lines = File.ReadAllLines(Path.Combine(directory, ReportWriter.Csv));
            Assert.Equal(CsvReport.Header, lines[0]);
            var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
            Assert.Equal(90, rows.Count);
            Assert.All(rows, r => Assert.Equal(CsvReport.Header.Split(',').Length, r.Length));
            var measured = rows.Where(r => r[12] == "0").ToList();
            Assert.Equal(60, measured.Count);
            Assert.Equal(cold, measured.Count(r => r[9] == "cold"));
            Assert.All(measured, r => Assert.Equal(32, r[21].Length));
            var maxCsv = measured.Max(r => double.Parse(r[6], CultureInfo.InvariantCulture));
            var maxJson = classes.GetProperty("all").GetProperty("corrected").GetProperty("max").GetDouble();
            Assert.Equal(maxCsv, maxJson, maxCsv * 0.002 + 0.01);

            var markdown = File.ReadAllText(Path.Combine(directory, ReportWriter.Markdown));
            var p99 = classes.GetProperty("all").GetProperty("corrected").GetProperty("p99").GetDouble();
            Assert.Contains($"| all | 60 |", markdown);
            Assert.Contains(Units.Ms(p99), markdown);
            Assert.Contains("| cold | " + cold + " |", markdown);

            var html = File.ReadAllText(Path.Combine(directory, ReportWriter.Html));
            Assert.StartsWith("<!DOCTYPE html>", html);
            Assert.True(html.Split("<svg").Length - 1 >= 3, "latency over time, distribution and throughput charts");
            Assert.DoesNotContain("<script", html);
            Assert.DoesNotContain("src=\"http", html);
            Assert.DoesNotContain("href=\"http", html);
            Assert.Contains(Units.Ms(p99), html);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Run_ThresholdsHold_Exits0()
    {
        await using var server = await ScriptedServer.StartAsync();

        var (code, output, error) = await Runner.RunAsync("http", "--target", server.Url.ToString(), "--path", "/fast", "--rate", "50", "--duration", "0.5s", "--warmup", "0",
            "--threshold", "all.p99<5s", "--threshold", "all.error_rate<1%", "--threshold", "all.rps>=40", "--threshold", "http:warm.count>=25");

        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("threshold all.p99<5s: ok", output);
    }

    [Fact]
    public async Task Run_ThresholdFails_Exits3AndNamesIt()
    {
        await using var server = await ScriptedServer.StartAsync();

        var (code, output, error) = await Runner.RunAsync("http", "--target", server.Url.ToString(), "--path", "/delay?ms=20", "--rate", "20", "--duration", "0.5s", "--warmup", "0",
            "--threshold", "warm.p99<1ms", "--threshold", "all.error_rate<1%");

        Assert.Equal(ExitCodes.ThresholdFailed, code);
        Assert.Contains("threshold warm.p99<1ms: FAILED", error);
        Assert.Contains("threshold all.error_rate<1%: ok", output);
        Assert.Contains("1 threshold(s) failed (exit code 3)", error);
    }

    [Fact]
    public async Task Run_ThresholdWithoutData_Exits3()
    {
        await using var server = await ScriptedServer.StartAsync();

        var (code, _, error) = await Runner.RunAsync("http", "--target", server.Url.ToString(), "--path", "/fast", "--rate", "20", "--duration", "0.3s", "--warmup", "0", "--threshold", "cold.p99<10s");

        Assert.Equal(ExitCodes.ThresholdFailed, code);
        Assert.Contains("no request of class 'cold'", error);
    }

    [Fact]
    public async Task Run_ErrorsFromTheServer_FailTheErrorRateThreshold()
    {
        await using var server = await ScriptedServer.StartAsync();

        var (code, _, error) = await Runner.RunAsync("http", "--target", server.Url.ToString(), "--path", "/status?code=500", "--rate", "20", "--duration", "0.3s", "--warmup", "0", "--threshold", "all.error_rate<1%");

        Assert.Equal(ExitCodes.ThresholdFailed, code);
        Assert.Contains("all.error_rate<1%: FAILED (1 at", error);
    }

    [Fact]
    public async Task Run_TargetDown_GatewayScenarioExits1SayingSo()
    {
        var port = BenchPlatform.TestCommon.FreePort.Next();

        var (code, _, error) = await Runner.RunAsync("warm", "--target", $"http://127.0.0.1:{port}", "--model", "m", "--duration", "1s");

        Assert.Equal(ExitCodes.RunFailed, code);
        Assert.Contains("warm:", error);
    }

    [Fact]
    public async Task Compare_SlowerCandidate_Exits4AndFlagsTheRegression()
    {
        await using var server = await ScriptedServer.StartAsync();
        var baseline = Runner.TempDirectory();
        var candidate = Runner.TempDirectory();
        try
        {
            string[] Args(string report) => ["http", "--target", server.Url.ToString(), "--path", "/global", "--concurrency", "2", "--iterations", "40", "--warmup", "0", "--report", report];
            server.GlobalDelay = TimeSpan.FromMilliseconds(2);
            Assert.Equal(ExitCodes.Ok, (await Runner.RunAsync(Args(baseline))).ExitCode);
            server.GlobalDelay = TimeSpan.FromMilliseconds(40);
            Assert.Equal(ExitCodes.Ok, (await Runner.RunAsync(Args(candidate))).ExitCode);

            var (regressed, output, _) = await Runner.RunAsync("compare", Path.Combine(baseline, "summary.json"), Path.Combine(candidate, "summary.json"));
            var (same, sameOutput, _) = await Runner.RunAsync("compare", Path.Combine(baseline, "summary.json"), Path.Combine(baseline, "summary.json"));

            Assert.Equal(ExitCodes.Regression, regressed);
            Assert.Contains("| all | p50 ms |", output);
            Assert.Contains("REGRESSION", output);
            Assert.Equal(ExitCodes.Ok, same);
            Assert.Contains("no regression", sameOutput);
        }
        finally
        {
            Directory.Delete(baseline, true);
            Directory.Delete(candidate, true);
        }
    }

    [Fact]
    public async Task Compare_NotASummary_Exits2()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "{\"hello\":1}");

            var (code, _, error) = await Runner.RunAsync("compare", file, file);

            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains("has no 'runs' array", error);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
