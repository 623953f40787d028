using System.Diagnostics;
using System.Text.Json;
using BenchPlatform.LoadTests.Reports;
using BenchPlatform.LoadTests.Tests.Support;
using Runner = BenchPlatform.LoadTests.Tests.Support.Cli;

namespace BenchPlatform.LoadTests.Tests.Cli;

/// <summary>
/// The LoadTests command as its own process with socket continuations inline on the event threads (what
/// <see cref="LoadTestRunner.UseInlineSocketCompletions"/> sets up, and only a fresh process can have).
/// </summary>
public sealed class ProcessRunTests
{
    [Fact]
    public async Task Process_InlineSocketCompletions_KeepsCountsServerTimingClassesAndTraceIds()
    {
        await using var server = await ScriptedServer.StartAsync();
        var directory = Runner.TempDirectory();
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { Path.Combine(AppContext.BaseDirectory, "LoadTests.dll"), "http", "--target", server.Url.ToString(), "--path", "/timing", "--rate", "60", "--duration", "1s", "--warmup", "0.5s", "--report", directory, "--plain" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1";
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"the LoadTests process did not exit within 60 s of a 1.5 s run: {await output}{await error}");
            }

            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}: {await output}{await error}");
            using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, ReportWriter.Json)));
            var run = json.RootElement.GetProperty("runs")[0];
            Assert.Equal(60, run.GetProperty("sent").GetInt64());
            Assert.Equal(60, run.GetProperty("due").GetInt64());
            Assert.Equal(0, run.GetProperty("dropped").GetInt64());
            var classes = run.GetProperty("classes");
            var cold = classes.GetProperty("cold").GetProperty("corrected").GetProperty("count").GetInt64();
            var hits = classes.GetProperty("cache_hit").GetProperty("corrected").GetProperty("count").GetInt64();
            var warm = classes.GetProperty("warm").GetProperty("corrected").GetProperty("count").GetInt64();
            Assert.Equal(60, cold + hits + warm);
            Assert.InRange(cold, 18, 22);
            var rows = File.ReadAllLines(Path.Combine(directory, ReportWriter.Csv)).Skip(1).Select(l => l.Split(',')).ToList();
            Assert.Equal(90, rows.Count);
            Assert.All(rows, r => Assert.Matches("^[0-9a-f]{32}$", r[21]));
            Assert.Equal(90, rows.Select(r => r[21]).Distinct().Count());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
