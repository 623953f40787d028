namespace BenchPlatform.InferenceWorker.Onnx;

/// <summary>
/// A whole model (<c>ModelProto</c>): the graph plus the IR version and operator-set imports that tell
/// a runtime how to read it. Defaults (IR 8, default-domain opset 17) load in every ONNX Runtime since 1.12.
/// </summary>
public sealed record OnnxModel(OnnxGraph Graph)
{
    /// <summary>The default-domain operator set used when <see cref="OpsetImports"/> is not given.</summary>
    public const long DefaultOpset = 17;

    /// <summary>The ONNX IR version (8 goes with opsets up to 18).</summary>
    public long IrVersion { get; init; } = 8;

    /// <summary>Operator sets by domain (empty string = the default ONNX domain).</summary>
    public IReadOnlyDictionary<string, long> OpsetImports { get; init; } = new Dictionary<string, long> { [""] = DefaultOpset };

    /// <summary>The tool that wrote the model.</summary>
    public string ProducerName { get; init; } = "BenchPlatform";

    /// <summary>The producer's version.</summary>
    public string ProducerVersion { get; init; } = "1";

    /// <summary>The model's own version number.</summary>
    public long ModelVersion { get; init; } = 1;

    /// <summary>Free-form documentation.</summary>
    public string DocString { get; init; } = "";

    /// <summary>Key/value metadata (<c>metadata_props</c>), readable through ONNX Runtime's model metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
