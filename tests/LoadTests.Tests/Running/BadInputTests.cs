using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Tests.Support;

namespace BenchPlatform.LoadTests.Tests.Running;

public sealed class BadInputTests
{
    [Theory]
    [InlineData("warm.p99<<20ms", "is not a number")]
    [InlineData("warm.p99", "needs a comparison")]
    [InlineData("warm.p42<20ms", "unknown metric 'p42'")]
    [InlineData("hot.p99<20ms", "unknown class 'hot'")]
    [InlineData("warm.p99<20parsecs", "latency unit 'parsecs' is unknown; use us, ms or s")]
    public void ThresholdParse_ExpressionThatDoesNotParse_ThrowsNamingThePartToChange(string expression, string fix)
    {
        var error = Assert.Throws<UsageException>(() => Threshold.Parse(expression));
        Assert.Contains(fix, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulations_ZeroOrNegativeRateOrDuration_ThrowNamingTheParameterAndAnExample()
    {
        var second = TimeSpan.FromSeconds(1);
        Assert.Contains("rate must be a positive number", Assert.Throws<ArgumentOutOfRangeException>(() => Simulation.Inject(0, second, second)).Message, StringComparison.Ordinal);
        Assert.Contains("rate must be a positive number", Assert.Throws<ArgumentOutOfRangeException>(() => Simulation.RampingInject(-5, second, second)).Message, StringComparison.Ordinal);
        Assert.Contains("during must be longer than zero", Assert.Throws<ArgumentOutOfRangeException>(() => Simulation.Inject(10, second, TimeSpan.Zero)).Message, StringComparison.Ordinal);
        Assert.Contains("interval must be longer than zero", Assert.Throws<ArgumentOutOfRangeException>(() => Simulation.Inject(10, -second, second)).Message, StringComparison.Ordinal);
        Assert.Contains("during must be longer than zero", Assert.Throws<ArgumentOutOfRangeException>(() => Simulation.KeepConstant(2, -second)).Message, StringComparison.Ordinal);
        Assert.Contains("copies must be 1 or more", Assert.Throws<ArgumentOutOfRangeException>(() => Simulation.KeepConstant(0, second)).Message, StringComparison.Ordinal);
        Assert.Contains("use Simulation.KeepConstant", Assert.Throws<ArgumentOutOfRangeException>(() => Simulation.IterationsForConstant(1, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("at least one simulation", Assert.Throws<ArgumentException>(() => Scenario.Create("s", _ => Task.FromResult(Response.Ok())).WithLoadSimulations()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_StepNameUsedTwiceInOneIteration_StopsTheRunWithAMessageNamingTheFix()
    {
        var scenario = Scenario.Create("twice", async ctx =>
            {
                await Step.Run("infer", ctx, () => Task.FromResult(Response.Ok()));
                return await Step.Run("infer", ctx, () => Task.FromResult(Response.Ok()));
            })
            .WithLoadSimulations(Simulation.KeepConstant(2, TimeSpan.FromSeconds(30)));

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var error = await Assert.ThrowsAsync<ScenarioDefinitionException>(() => LoadTestRunner.RegisterScenarios(scenario).RunAsync());

        Assert.Contains("step name 'infer' is used twice in one iteration; give each Step.Run its own name", error.Message, StringComparison.Ordinal);
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10), "the run stops at the mistake, not after its 30 s");
    }

    [Fact]
    public void RegisterScenarios_TwoScenariosWithOneName_ThrowsNamingIt()
    {
        var a = Scenario.Create("same", _ => Task.FromResult(Response.Ok()));
        var error = Assert.Throws<ArgumentException>(() => LoadTestRunner.RegisterScenarios(a, a));
        Assert.Contains("Two scenarios are named 'same'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DataFeedFromFile_MissingOrEmptyFile_ThrowsNamingThePathAndWhatToPutInIt()
    {
        var folder = Directory.CreateTempSubdirectory("lt-feed-");
        try
        {
            var missing = Path.Combine(folder.FullName, "nope.txt");
            var notFound = Assert.Throws<FileNotFoundException>(() => DataFeed.FromFile(missing));
            Assert.Contains(missing, notFound.Message, StringComparison.Ordinal);
            Assert.Contains("create it with one item per line", notFound.Message, StringComparison.Ordinal);

            var empty = Path.Combine(folder.FullName, "empty.txt");
            File.WriteAllText(empty, "\n  \n");
            Assert.Contains("has no items; put one item per line", Assert.Throws<InvalidDataException>(() => DataFeed.FromFile(empty)).Message, StringComparison.Ordinal);

            var emptyJson = Path.Combine(folder.FullName, "empty.json");
            File.WriteAllText(emptyJson, "[]");
            Assert.Contains("has no items", Assert.Throws<InvalidDataException>(() => DataFeed.FromFile(emptyJson)).Message, StringComparison.Ordinal);

            var lines = Path.Combine(folder.FullName, "ids.txt");
            File.WriteAllText(lines, "1\n2\n\n3\n");
            Assert.Equal(3, DataFeed.FromFile(lines).Count);
            var json = Path.Combine(folder.FullName, "bodies.json");
            File.WriteAllText(json, """[{"id":1},{"id":2}]""");
            Assert.Equal(2, DataFeed.FromFile(json, random: true).Count);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Run_ScenarioThatThrows_CountsFailuresWithTheMessageAndNeverCrashes()
    {
        await using var server = await ScriptedServer.StartAsync();
        var scenario = Scenario.Create("throws", async ctx =>
            {
                if (ctx.InvocationNumber % 2 == 0)
                {
                    throw new InvalidOperationException("the fixture ran out of ids");
                }

                return await Http.Send(ctx, new HttpRequestMessage(HttpMethod.Get, new Uri(server.Url, "/status?code=503")));
            })
            .WithLoadSimulations(Simulation.IterationsForConstant(2, 20))
            .WithThresholds(Threshold.Create(stats => stats.Fail.Request.Percent < 50), Threshold.Create(stats => stats.GetStepStats("missing").Ok.Request.Count > 0));

        var stats = await LoadTestRunner.RegisterScenarios(scenario).RunAsync();

        var throws = stats.GetScenarioStats("throws");
        Assert.Equal(20, throws.Fail.Request.Count);
        Assert.Contains(throws.FailureMessages, m => m.Key == "InvalidOperationException: the fixture ran out of ids" && m.Value == 10);
        Assert.Contains(throws.FailureMessages, m => m.Key == "HTTP 503" && m.Value == 10);
        Assert.Equal(10, throws.Refused);
        Assert.False(stats.Passed);
        Assert.Contains("FAILED (it threw KeyNotFoundException: Scenario 'throws' has no step 'missing'", stats.Thresholds[1].Message, StringComparison.Ordinal);
    }
}
