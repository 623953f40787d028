using System.Text.Json;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Tests.Support;
using Runner = BenchPlatform.LoadTests.Tests.Support.Cli;

namespace BenchPlatform.LoadTests.Tests.Cli;

public sealed class LiveOptionTests
{
    [Fact]
    public async Task Run_LiveAndLiveFile_PrintsAndAppendsTheRunningStepsStatsEveryInterval()
    {
        await using var server = await ScriptedServer.StartAsync();
        var directory = Runner.TempDirectory();
        try
        {
            var file = Path.Combine(directory, "live.jsonl");
            var (code, output, error) = await Runner.RunAsync("http", "--target", server.Url.ToString(), "--path", "/fast", "--rate", "40", "--duration", "1.5s", "--warmup", "0s", "--live", "300ms", "--live-file", file);

            Assert.True(code == ExitCodes.Ok, error);
            Assert.Contains("[http/GET /fast @40/s] ", output, StringComparison.Ordinal);
            Assert.Matches(@"\d+(\.\d)? req/s, \d+(\.\d)? errors/s, p50=", output);
            var lines = await File.ReadAllLinesAsync(file);
            Assert.InRange(lines.Length, 3, 7);
            using var first = JsonDocument.Parse(lines[0]);
            Assert.StartsWith("http/", first.RootElement.GetProperty("scenario").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("--live", "10ms", "too short; give 100ms or more")]
    [InlineData("--live", "soon", "must be a duration")]
    public void Parse_BadLiveInterval_NamesTheFix(string option, string value, string fix)
    {
        var error = Assert.Throws<UsageException>(() => CommandLine.Parse(["http", "--target", "http://127.0.0.1:1/", option, value]));
        Assert.Contains(fix, error.Message, StringComparison.Ordinal);
    }
}
