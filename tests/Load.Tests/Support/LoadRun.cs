using System.Globalization;
using BenchPlatform.LoadTests;
using BenchPlatform.TestCommon;
using Xunit.Abstractions;

namespace BenchPlatform.Load.Tests.Support;

/// <summary>
/// Runs one scenario against the stack beside the reference (<see cref="Limits"/>), writes the report to
/// <c>TestResults/load/{scenario}</c> (with <c>relative.md</c>: the reference's median and each bound's ratio), and
/// asserts the scenario's thresholds and its bounds relative to the reference.
/// </summary>
internal static class LoadRun
{
    /// <summary>The reference scenario's name in the reports.</summary>
    public const string ReferenceName = "reference";

    /// <summary>The reference's rate: enough samples for a median in a few seconds, too few to load the machine.</summary>
    private const double ReferenceRate = 10;

    /// <param name="stack">The stack.</param>
    /// <param name="scenario">The scenario, with its own thresholds (errors, counts).</param>
    /// <param name="output">The test's output.</param>
    /// <param name="reference">The reference request, through the gateway to the service the scenario loads.</param>
    /// <param name="referenceFor">How long the reference runs after the scenario's warm-up: about as long as the scenario's load.</param>
    /// <param name="bounds">Latency bounds relative to the reference's median.</param>
    public static async Task<LoadTestStats> RunAsync(StackFixture stack, ScenarioProps scenario, ITestOutputHelper output, Reference reference, TimeSpan referenceFor, params RelativeBound[] bounds)
    {
        var folder = Path.Combine(RepoPaths.Root, "TestResults", "load", scenario.Name);

        // The reference starts its load when the scenario's init is over (a cold start's init scales inference to zero
        // first), and measures through the same warm-up and window.
        var loadStarts = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var init = scenario.Init;
        scenario = scenario.WithInit(async context =>
        {
            try
            {
                if (init is not null)
                {
                    await init(context);
                }
            }
            finally
            {
                loadStarts.TrySetResult();
            }
        });
        var referenceScenario = Scenario.Create(ReferenceName, async ctx =>
            {
                var response = await Http.Send(ctx, new HttpRequestMessage(HttpMethod.Get, new Uri(ctx.Target!, reference.Path)));
                return response.StatusCode == reference.Status ? Response.Ok(reference.Status) : response;
            })
            .WithInit(_ => loadStarts.Task)
            .WithWarmUpDuration(scenario.WarmUpDuration > TimeSpan.Zero ? scenario.WarmUpDuration : TimeSpan.FromMilliseconds(500))
            .WithLoadSimulations(Simulation.Inject(rate: ReferenceRate, interval: TimeSpan.FromSeconds(1), during: referenceFor))
            .WithThresholds(Threshold.Parse("all.error_rate<=0"), Threshold.Parse($"all.count>={Math.Max(5, (int)(referenceFor.TotalSeconds * ReferenceRate * 0.5))}"));

        var stats = await LoadTestRunner.RegisterScenarios(scenario, referenceScenario)
            .WithTarget(stack.GatewayUrl)
            .WithReportFolder(folder)
            .WithRequestTimeout(TimeSpan.FromSeconds(60))
            .RunAsync();

        var referenceMs = stats.GetScenarioStats(ReferenceName).Ok.Latency.P50;
        var lines = new List<string> { string.Create(CultureInfo.InvariantCulture, $"reference: GET {reference.Path} ({reference.Status}) at {ReferenceRate}/s beside the scenario, median {referenceMs:0.###} ms (load average {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?")})") };
        var passed = stats.Passed && referenceMs > 0;
        foreach (var bound in bounds)
        {
            var (ok, line) = bound.Check(stats.GetScenarioStats(scenario.Name), referenceMs);
            passed &= ok;
            lines.Add(line);
        }

        await File.WriteAllLinesAsync(Path.Combine(folder, "relative.md"), lines);
        output.WriteLine(string.Join('\n', lines));
        output.WriteLine(await File.ReadAllTextAsync(Path.Combine(folder, "report.md")));
        Assert.True(passed, $"{stats.Describe()}\n{string.Join('\n', lines)}\n(report: {folder})");
        return stats;
    }

    /// <summary>A JSON request to the gateway.</summary>
    public static HttpRequestMessage Json(IScenarioContext context, HttpMethod method, string path, byte[] body) => new(method, new Uri(context.Target!, path))
    {
        Content = new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } },
    };
}
