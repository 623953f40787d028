namespace BenchPlatform.InferenceWorker.Registry;

/// <summary>
/// A model's inputs and outputs as typed specs, read from its registry record (so requests are validated
/// and cache hits answered without loading the model), and whether requests to it can be merged.
/// </summary>
public sealed class ModelSignature
{
    private ModelSignature(List<ModelInput> inputs, List<ModelInput> outputs)
    {
        Inputs = inputs;
        Outputs = outputs;
        InputNames = [.. inputs.Select(i => i.Name)];
        OutputNames = [.. outputs.Select(o => o.Name)];
        Batchable = inputs.Count > 0
            && inputs.TrueForAll(i => i.Shape.Length > 0 && i.Shape[0] == -1)
            && outputs.TrueForAll(o => o.Shape.Length > 0 && o.Shape[0] == -1);
    }

    /// <summary>The inputs, in the model's order.</summary>
    public IReadOnlyList<ModelInput> Inputs { get; }

    /// <summary>The outputs, in the model's order.</summary>
    public IReadOnlyList<ModelInput> Outputs { get; }

    /// <summary>Input names in order.</summary>
    public string[] InputNames { get; }

    /// <summary>Output names in order.</summary>
    public string[] OutputNames { get; }

    /// <summary>Whether every input and output has a dynamic first (batch) dimension.</summary>
    public bool Batchable { get; }

    /// <summary>The signature of a loaded session's metadata (tools and tests that have a session, not a record).</summary>
    internal static ModelSignature Of(List<ModelInput> inputs, List<ModelInput> outputs) => new(inputs, outputs);

    /// <summary>The signature of <paramref name="record"/>.</summary>
    public static ModelSignature Of(ModelRecord record) => new(
        record.Inputs.Select(ToInput).ToList(),
        record.Outputs.Select(ToInput).ToList());

    private static ModelInput ToInput(TensorSpec spec) => new(spec.Name, TensorDataTypes.Parse(spec.Datatype), spec.Shape);
}
