namespace BenchPlatform.Protocol.Inference;

/// <summary>A decoded <c>/v2/models/{name}/infer</c> request.</summary>
public sealed class InferRequest : IDisposable
{
    /// <summary>The caller's request id, echoed back.</summary>
    public string? Id { get; init; }

    /// <summary>The inputs, in request order.</summary>
    public required List<InputTensor> Inputs { get; init; }

    /// <summary>Outputs asked for by name; null means all.</summary>
    public List<string>? Outputs { get; init; }

    /// <summary><c>parameters.binary_data_output</c>: every output as binary tensor data (default false).</summary>
    public bool BinaryOutput { get; init; }

    /// <summary>Outputs asked for with <c>parameters.binary_data: true</c>; null when none.</summary>
    public List<string>? BinaryOutputs { get; init; }

    /// <summary><c>parameters.cache</c> (default true).</summary>
    public bool UseCache { get; init; } = true;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var input in Inputs)
        {
            input.Dispose();
        }
    }
}
