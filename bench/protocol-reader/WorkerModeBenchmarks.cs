using BenchmarkDotNet.Attributes;
using BenchPlatform.Bench.ProtocolReader.Baseline;
using BenchPlatform.Protocol.Inference;

namespace BenchPlatform.Bench.ProtocolReader;

/// <summary>The worker's decode of a valid infer body into pooled tensors: the decoder it had (baseline) against the reader's decode mode.</summary>
[MemoryDiagnoser]
public class WorkerModeBenchmarks
{
    private byte[] _body = [];

    /// <summary>1 row (an MNIST image) or a batch of 1000.</summary>
    [Params(1, 1000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = InferBodies.Mnist(Rows);
        using var before = OldInferRequestReader.Read(_body);
        using var after = InferBodyReader.Decode(_body);
        if (!before.Inputs[0].Bytes.SequenceEqual(after.Inputs[0].Bytes))
        {
            throw new InvalidOperationException("Both decoders must give the same bytes.");
        }
    }

    [Benchmark(Baseline = true, Description = "old worker decoder")]
    public int OldDecoder()
    {
        using var request = OldInferRequestReader.Read(_body);
        return request.Inputs[0].ElementCount;
    }

    [Benchmark(Description = "Protocol reader, decode mode")]
    public int Decode()
    {
        using var request = InferBodyReader.Decode(_body);
        return request.Inputs[0].ElementCount;
    }
}
