using BenchmarkDotNet.Attributes;
using BenchPlatform.LoadTests;
using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.Bench.LoadTestsStep;

/// <summary>
/// The engine's own cost per iteration, no HTTP: one copy running 10,000 iterations of a scenario that returns at once
/// (closed model), with and without a step. Per operation = per iteration.
/// </summary>
[MemoryDiagnoser]
public class IterationBenchmarks
{
    private const int Iterations = 10_000;
    private static readonly Task<Response> Done = Task.FromResult(Response.Ok());
    private readonly LoadEngine _engine = new(new HttpMessageInvoker(new SocketsHttpHandler()), TimeSpan.FromSeconds(30), TimeProvider.System);
    private readonly ScenarioProps _bare = Scenario.Create("bare", _ => Done).WithLoadSimulations(Simulation.IterationsForConstant(1, Iterations));
    private readonly ScenarioProps _stepped = Scenario.Create("stepped", async ctx => await Step.Run("work", ctx, () => Done))
        .WithLoadSimulations(Simulation.IterationsForConstant(1, Iterations));

    [Benchmark(Baseline = true, OperationsPerInvoke = Iterations)]
    public Task<RunRecords> Bare() => _engine.RunRecordsAsync(_bare, CancellationToken.None);

    [Benchmark(OperationsPerInvoke = Iterations)]
    public Task<RunRecords> OneStep() => _engine.RunRecordsAsync(_stepped, CancellationToken.None);
}
