using BenchmarkDotNet.Attributes;
using BenchPlatform.LoadTests;
using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.Bench.LoadTestsStep;

/// <summary>
/// What <see cref="Step.Run"/> adds to the work it wraps: the same completed work awaited bare, inside one step, and inside
/// two (each iteration begins anew, as the engine does, so a step name is used once per iteration). The step records are
/// forgotten every 16,384 iterations, their chunks kept: the steady state of a run, whose records must be stored anyway.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private static readonly Task<Response> Done = Task.FromResult(Response.Ok());
    private readonly Func<Task<Response>> _work = () => Done;
    private IterationContext _context = null!;
    private long _sequence;

    [GlobalSetup]
    public void Setup() => _context = IterationContext.Detached();

    [Benchmark(Baseline = true)]
    public async Task<Response> BeginAndAwaitWork()
    {
        Begin();
        return await _work();
    }

    [Benchmark]
    public async Task<Response> BeginAndOneStep()
    {
        Begin();
        return await Step.Run("infer", _context, _work);
    }

    [Benchmark]
    public async Task<Response> BeginAndTwoSteps()
    {
        Begin();
        await Step.Run("upload", _context, _work);
        return await Step.Run("infer", _context, _work);
    }

    private void Begin()
    {
        if ((++_sequence & 0x3FFF) == 0)
        {
            foreach (var step in _context.Run.Steps.Ordered)
            {
                step.Records.Reset();
            }
        }

        _context.Begin(_sequence, 0, false, TimeSpan.FromSeconds(30));
    }
}
