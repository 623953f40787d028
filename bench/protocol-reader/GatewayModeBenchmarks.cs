using BenchmarkDotNet.Attributes;
using BenchPlatform.Bench.ProtocolReader.Baseline;
using BenchPlatform.Protocol.Inference;

namespace BenchPlatform.Bench.ProtocolReader;

/// <summary>The gateway's check of a valid infer body: the scanner it had (baseline) against the reader's validate mode.</summary>
[MemoryDiagnoser]
public class GatewayModeBenchmarks
{
    private byte[] _body = [];

    /// <summary>1 row (an MNIST image) or a batch of 1000.</summary>
    [Params(1, 1000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = InferBodies.Mnist(Rows);
        if (!OldScanner() || !Validate() || !InferBodyReader.TryCheck(_body, null, out _))
        {
            throw new InvalidOperationException("Both checks must accept the body, the new one on its allocation-free pass.");
        }
    }

    [Benchmark(Baseline = true, Description = "old gateway scanner")]
    public bool OldScanner() => OldInferBodyScanner.IsCertainlyValid(_body);

    [Benchmark(Description = "Protocol reader, validate mode")]
    public bool Validate() => InferBodyReader.Validate(_body, null, out _) is null;
}
