using BenchmarkDotNet.Attributes;
using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.Bench.LoadTestsStep;

/// <summary>
/// The end of a run: 100,000 records (96 B each, 6.1 chunks) handed to the summary in place (<c>ToList</c>, what the
/// engine does now) or copied into one array first (<c>ToArray</c>, what it did). Per operation = per record.
/// </summary>
[MemoryDiagnoser]
public class RecordBufferBenchmarks
{
    private const int Records = 100_000;
    private readonly RecordBuffer _buffer = new();

    [GlobalSetup]
    public void Fill()
    {
        var record = RequestRecord.Create(0, 0, false);
        for (var i = 0; i < Records; i++)
        {
            _buffer.Add(record);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public RecordList InPlace() => _buffer.ToList();

    [Benchmark(OperationsPerInvoke = Records)]
    public RequestRecord[] Copied() => _buffer.ToArray();
}
