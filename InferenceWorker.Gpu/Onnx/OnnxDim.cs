namespace BenchPlatform.InferenceWorker.Onnx;

/// <summary>One dimension of a graph input or output: a fixed size, or a named symbolic (dynamic) size.</summary>
public readonly record struct OnnxDim
{
    private OnnxDim(long? value, string? param)
    {
        Value = value;
        Param = param;
    }

    /// <summary>The fixed size, when the dimension is static.</summary>
    public long? Value { get; }

    /// <summary>The symbolic name (e.g. <c>batch</c>), when the dimension is dynamic.</summary>
    public string? Param { get; }

    /// <summary>A static dimension.</summary>
    public static OnnxDim Fixed(long value) => new(value, null);

    /// <summary>A dynamic dimension called <paramref name="name"/>.</summary>
    public static OnnxDim Dynamic(string name) => new(null, name);

    /// <summary>A static dimension from an integer.</summary>
    public static implicit operator OnnxDim(long value) => Fixed(value);

    /// <summary>A dynamic dimension from its name.</summary>
    public static implicit operator OnnxDim(string name) => Dynamic(name);

    /// <inheritdoc />
    public override string ToString() => Param ?? Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?";
}
