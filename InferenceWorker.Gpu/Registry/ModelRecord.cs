namespace BenchPlatform.InferenceWorker.Registry;

/// <summary>One registered model version, as the registry stores it.</summary>
public sealed record ModelRecord(
    string Name,
    int Version,
    string Sha256,
    long SizeBytes,
    IReadOnlyList<TensorSpec> Inputs,
    IReadOnlyList<TensorSpec> Outputs,
    DateTimeOffset CreatedAt,
    int? MaxBatchSize,
    int? MaxQueueDelayMicroseconds)
{
    private ModelSignature? _signature;

    /// <summary>The typed signature (computed once).</summary>
    public ModelSignature Signature => _signature ??= ModelSignature.Of(this);
}
