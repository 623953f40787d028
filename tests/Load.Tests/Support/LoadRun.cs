using BenchPlatform.LoadTests;
using BenchPlatform.TestCommon;
using Xunit.Abstractions;

namespace BenchPlatform.Load.Tests.Support;

/// <summary>Runs one scenario against the stack, writes its report to <c>TestResults/load/{scenario}</c> and asserts its thresholds.</summary>
internal static class LoadRun
{
    public static async Task<LoadTestStats> RunAsync(StackFixture stack, ScenarioProps scenario, ITestOutputHelper output)
    {
        var folder = Path.Combine(RepoPaths.Root, "TestResults", "load", scenario.Name);
        var stats = await LoadTestRunner.RegisterScenarios(scenario)
            .WithTarget(stack.GatewayUrl)
            .WithReportFolder(folder)
            .WithRequestTimeout(TimeSpan.FromSeconds(60))
            .RunAsync();
        var markdown = await File.ReadAllTextAsync(Path.Combine(folder, "report.md"));
        output.WriteLine(markdown);
        Assert.True(stats.Passed, $"{stats.Describe()}\n(report: {folder})");
        return stats;
    }

    /// <summary>A JSON request to the gateway.</summary>
    public static HttpRequestMessage Json(IScenarioContext context, HttpMethod method, string path, byte[] body) => new(method, new Uri(context.Target!, path))
    {
        Content = new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } },
    };
}
