using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Scenarios;
using Runner = BenchPlatform.LoadTests.Tests.Support.Cli;

namespace BenchPlatform.LoadTests.Tests.Cli;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("no scenario", new string[0])]
    [InlineData("unknown scenario 'nope'", new[] { "nope", "--target", "http://127.0.0.1:1" })]
    [InlineData("--target is required", new[] { "warm" })]
    [InlineData("not an http(s) URL", new[] { "warm", "--target", "ftp://example" })]
    [InlineData("not an http(s) URL", new[] { "warm", "--target", "localhost" })]
    [InlineData("--rate '-5' must be a number greater than 0", new[] { "warm", "--target", "http://127.0.0.1:1", "--rate", "-5" })]
    [InlineData("--rate 'fast' must be a number", new[] { "warm", "--target", "http://127.0.0.1:1", "--rate", "fast" })]
    [InlineData("--duration 'abc' must be a duration", new[] { "warm", "--target", "http://127.0.0.1:1", "--duration", "abc" })]
    [InlineData("--duration '0s' must be a duration greater than 0", new[] { "warm", "--target", "http://127.0.0.1:1", "--duration", "0s" })]
    [InlineData("--duration '5 parsecs'", new[] { "warm", "--target", "http://127.0.0.1:1", "--duration", "5 parsecs" })]
    [InlineData("--concurrency '0' must be a whole number", new[] { "concurrency", "--target", "http://127.0.0.1:1", "--concurrency", "0" })]
    [InlineData("--concurrency '2.5' must be a whole number", new[] { "concurrency", "--target", "http://127.0.0.1:1", "--concurrency", "2.5" })]
    [InlineData("--rate needs a value", new[] { "warm", "--target", "http://127.0.0.1:1", "--rate" })]
    [InlineData("--rate needs a value", new[] { "warm", "--target", "http://127.0.0.1:1", "--rate", "5", "--rate" })]
    [InlineData("unknown option '--rtae'", new[] { "warm", "--target", "http://127.0.0.1:1", "--rtae", "5" })]
    [InlineData("needs a comparison", new[] { "warm", "--target", "http://127.0.0.1:1", "--threshold", "warm.p99" })]
    [InlineData("unknown class 'hot'", new[] { "warm", "--target", "http://127.0.0.1:1", "--threshold", "hot.p99<20ms" })]
    [InlineData("unknown metric 'p42'", new[] { "warm", "--target", "http://127.0.0.1:1", "--threshold", "warm.p42<20ms" })]
    [InlineData("latency unit 'parsec' is unknown", new[] { "warm", "--target", "http://127.0.0.1:1", "--threshold", "warm.p99<20parsec" })]
    [InlineData("must be class.metric", new[] { "warm", "--target", "http://127.0.0.1:1", "--threshold", "p99<20ms" })]
    [InlineData("modes needs at least one --model-file", new[] { "modes", "--target", "http://127.0.0.1:1" })]
    [InlineData("tokens needs --model NAME", new[] { "tokens", "--target", "http://127.0.0.1:1" })]
    [InlineData("file '/nonexistent/model.onnx' does not exist", new[] { "modes", "--target", "http://127.0.0.1:1", "--model-file", "/nonexistent/model.onnx" })]
    [InlineData("--ramp-to needs --rate", new[] { "warm", "--target", "http://127.0.0.1:1", "--ramp-to", "100" })]
    [InlineData("--path 'alive' must start with '/'", new[] { "http", "--target", "http://127.0.0.1:1", "--path", "alive" })]
    [InlineData("--method 'DELETE' is not supported", new[] { "http", "--target", "http://127.0.0.1:1", "--method", "DELETE" })]
    [InlineData("unexpected argument 'extra'", new[] { "warm", "extra", "--target", "http://127.0.0.1:1" })]
    [InlineData("compare needs two summary files", new[] { "compare", "only-one.json" })]
    [InlineData("--tolerance 'lots' must be a percentage", new[] { "compare", "a", "b", "--tolerance", "lots" })]
    public async Task Run_BadInput_Exits2WithAMessageSayingWhatToChange(string expected, string[] args)
    {
        var (code, _, error) = await Runner.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public async Task Run_SeveralMistakes_Exits2NamingEveryOneOnItsOwnLine()
    {
        var (code, output, error) = await Runner.RunAsync("warm", "--rate", "fast", "--duration", "abc", "--rtae", "5", "--concurrency", "0", "stray");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal(
            [
                "error: --rate 'fast' must be a number greater than 0 (requests per second).",
                "error: --duration 'abc' must be a duration greater than 0 such as 30s, 500ms or 2m.",
                "error: --concurrency '0' must be a whole number from 1 to 100000.",
                "error: unknown option '--rtae'; run with --help to see the options.",
                "error: unexpected argument 'stray'; options start with --.",
                "error: --target is required, e.g. --target http://127.0.0.1:8080.",
            ],
            error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData("--rtae", new[] { "--rtae", "5" })]
    [InlineData("--rtae", new[] { "--rtae=5" })]
    [InlineData("--", new[] { "--" })]
    public async Task Run_UnknownOption_Exits2WithOneErrorAsBefore(string option, string[] args)
    {
        var (code, _, error) = await Runner.RunAsync(["warm", "--target", "http://127.0.0.1:1", .. args]);

        Assert.Equal(2, code);
        var line = Assert.Single(error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
        Assert.Equal($"error: unknown option '{option}'; run with --help to see the options.", line);
    }

    [Fact]
    public void Parse_EveryOptionTheHelpLists_IsKnownToTheParser()
    {
        foreach (var (name, value, _) in CommandLine.Options)
        {
            // A value-taking option given none is "needs a value", never "unknown option".
            var error = Record.Exception(() => CommandLine.Parse(["http", "--target", "http://127.0.0.1:1", name]));
            Assert.DoesNotContain("unknown option", error?.Message ?? "", StringComparison.Ordinal);
            Assert.True((value is null) == (error is null || !error.Message.Contains($"{name} needs a value", StringComparison.Ordinal)), name);
        }
    }

    [Fact]
    public void Parse_OptionGivenTwice_TheLastOneCounts()
    {
        var options = CommandLine.Parse(["warm", "--target", "http://127.0.0.1:1", "--rate", "5", "--rate=7"]);

        Assert.Equal(7, options.Rate);
    }

    [Fact]
    public async Task Help_DocumentsEveryOptionScenarioAndExitCode()
    {
        var (code, output, _) = await Runner.RunAsync("--help");

        Assert.Equal(ExitCodes.Ok, code);
        foreach (var (name, value, help) in CommandLine.Options)
        {
            // The option and its value, at least one space, its help: a long option name never runs into its help.
            var left = value is null ? name : $"{name} {value}";
            Assert.Matches($"(?m)^  {System.Text.RegularExpressions.Regex.Escape(left)} +{System.Text.RegularExpressions.Regex.Escape(help)}$", output.ReplaceLineEndings("\n"));
        }

        foreach (var (name, _) in ScenarioCatalog.All)
        {
            Assert.Contains("  " + name, output);
        }

        Assert.Contains("compare BASELINE.json CANDIDATE.json", output);
        foreach (var exitCode in new[] { ExitCodes.Ok, ExitCodes.RunFailed, ExitCodes.Usage, ExitCodes.ThresholdFailed, ExitCodes.Regression })
        {
            Assert.Contains($"  {exitCode}  ", output);
        }
    }

    [Fact]
    public void Parse_EveryOption_IsRead()
    {
        var file = Path.GetTempFileName();
        try
        {
            var options = CommandLine.Parse(
            [
                "warm", "--target", "http://127.0.0.1:9/", "--rate", "12.5", "--ramp-to", "40", "--duration", "1.5m", "--warmup", "0", "--concurrency", "3",
                "--connections", "7", "--iterations", "11", "--model", "a,b", "--model", "c", "--model-file", file, "--input-size", "64", "--int-fill", "8000",
                "--batch-sizes", "1,5", "--max-tokens", "9", "--prompt", "hi", "--p99-bound", "250ms", "--max-rate", "900", "--path", "/x", "--method", "post",
                "--body-file", file, "--content-type", "text/plain", "--timeout=2s", "--late-after", "500us", "--cold-wait", "90s", "--report", "out",
                "--threshold", "warm.p99 < 20ms", "--threshold", "cold_start:cold.max<=5s", "--api-key", "k", "--cache", "--plain",
            ]);

            Assert.Equal(12.5, options.Rate);
            Assert.Equal(40, options.RampTo);
            Assert.Equal(TimeSpan.FromSeconds(90), options.Duration);
            Assert.Equal(TimeSpan.Zero, options.Warmup);
            Assert.Equal(3, options.Concurrency);
            Assert.Equal(7, options.Connections);
            Assert.Equal(11, options.Iterations);
            Assert.Equal(["a", "b", "c"], options.Models);
            Assert.Equal([file], options.ModelFiles);
            Assert.Equal(64, options.InputSize);
            Assert.Equal(8000, options.IntFill);
            Assert.Equal([1, 5], options.BatchSizes);
            Assert.Equal(9, options.MaxTokens);
            Assert.Equal("hi", options.Prompt);
            Assert.Equal(TimeSpan.FromMilliseconds(250), options.P99Bound);
            Assert.Equal(900, options.MaxRate);
            Assert.Equal("/x", options.Path);
            Assert.Equal(HttpMethod.Post, options.Method);
            Assert.Equal(file, options.BodyFile);
            Assert.Equal("text/plain", options.ContentType);
            Assert.Equal(TimeSpan.FromSeconds(2), options.Timeout);
            Assert.Equal(TimeSpan.FromMilliseconds(0.5), options.LateAfter);
            Assert.Equal(TimeSpan.FromSeconds(90), options.ColdWait);
            Assert.Equal("out", options.ReportDirectory);
            Assert.Equal(20, options.Thresholds[0].Expression!.Limit);
            Assert.Equal(("cold_start", "cold", "max", "<=", 5000.0), (options.Thresholds[1].Expression!.Scenario, options.Thresholds[1].Expression!.Class, options.Thresholds[1].Expression!.Metric, options.Thresholds[1].Expression!.Operator, options.Thresholds[1].Expression!.Limit));
            Assert.Equal("k", options.ApiKey);
            Assert.True(options.UseCache);
            Assert.True(options.Plain);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
