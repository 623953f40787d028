using System.Globalization;
using BenchmarkDotNet.Running;
using BenchPlatform.Bench.LoadTestsStep;
using BenchPlatform.LoadTests;

// capacity URL CONNECTIONS SECONDS: a scenario written with the public API (Scenario.Create + Http.Send, closed model)
// as fast as it goes, for bench/loadtests-vs-wrk.sh; anything else: the BenchmarkDotNet benchmarks.
if (args is ["capacity", var url, var connections, var seconds])
{
    var target = new Uri(url);
    var copies = int.Parse(connections, CultureInfo.InvariantCulture);
    var scenario = Scenario.Create("capacity", async ctx => await Http.Send(ctx, new HttpRequestMessage(HttpMethod.Get, target)))
        .WithWarmUpDuration(TimeSpan.FromSeconds(1))
        .WithLoadSimulations(Simulation.KeepConstant(copies, TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture))));
    var stats = await LoadTestRunner.RegisterScenarios(scenario).WithMaxConnections(copies).RunAsync();
    var result = stats.GetScenarioStats("capacity");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rps={result.Ok.Request.Rps:0.0} ok={result.Ok.Request.Count} fail={result.Fail.Request.Count} p50={result.Ok.Latency.P50} p99={result.Ok.Latency.P99}"));
    return 0;
}

BenchmarkSwitcher.FromTypes([typeof(StepBenchmarks), typeof(IterationBenchmarks), typeof(RecordBufferBenchmarks)]).Run(args);
return 0;
