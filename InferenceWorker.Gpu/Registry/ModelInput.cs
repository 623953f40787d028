namespace BenchPlatform.InferenceWorker.Registry;

/// <summary>What a loaded model expects of one input (or produces for one output): datatype and shape, -1 for dynamic dims.</summary>
public sealed record ModelInput(string Name, TensorDataType DataType, long[] Shape)
{
    /// <summary>The shape as the API writes it, e.g. <c>[-1, 4]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    /// <summary><c>x (FP32 [-1, 4])</c>.</summary>
    public string Describe() => $"{Name} ({TensorDataTypes.Name(DataType)} {ShapeText})";
}
