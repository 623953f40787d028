namespace BenchPlatform.InferenceWorker.Onnx;

/// <summary>A node attribute (<c>AttributeProto</c>); build one with the static factories.</summary>
public sealed class OnnxAttribute
{
    private OnnxAttribute(string name, OnnxAttributeType type) => (Name, Type) = (name, type);

    /// <summary>The attribute name, as the operator's schema spells it (e.g. <c>axis</c>, <c>perm</c>).</summary>
    public string Name { get; }

    /// <summary>Which of the value properties is set.</summary>
    public OnnxAttributeType Type { get; }

    /// <summary>The value of a <see cref="OnnxAttributeType.Float"/> attribute.</summary>
    public float FloatValue { get; private init; }

    /// <summary>The value of an <see cref="OnnxAttributeType.Int"/> attribute.</summary>
    public long IntValue { get; private init; }

    /// <summary>The value of a <see cref="OnnxAttributeType.String"/> attribute.</summary>
    public string? StringValue { get; private init; }

    /// <summary>The value of a <see cref="OnnxAttributeType.Tensor"/> attribute.</summary>
    public OnnxTensor? TensorValue { get; private init; }

    /// <summary>The value of a <see cref="OnnxAttributeType.Graph"/> attribute.</summary>
    public OnnxGraph? GraphValue { get; private init; }

    /// <summary>The value of a <see cref="OnnxAttributeType.Floats"/> attribute.</summary>
    public IReadOnlyList<float> FloatsValue { get; private init; } = [];

    /// <summary>The value of an <see cref="OnnxAttributeType.Ints"/> attribute.</summary>
    public IReadOnlyList<long> IntsValue { get; private init; } = [];

    /// <summary>The value of a <see cref="OnnxAttributeType.Strings"/> attribute.</summary>
    public IReadOnlyList<string> StringsValue { get; private init; } = [];

    /// <summary>A float attribute (e.g. <c>alpha</c>, <c>epsilon</c>).</summary>
    public static OnnxAttribute Float(string name, float value) => new(name, OnnxAttributeType.Float) { FloatValue = value };

    /// <summary>An integer attribute (e.g. <c>axis</c>, <c>transB</c>, <c>to</c>).</summary>
    public static OnnxAttribute Int(string name, long value) => new(name, OnnxAttributeType.Int) { IntValue = value };

    /// <summary>A string attribute (e.g. <c>mode</c>).</summary>
    public static OnnxAttribute String(string name, string value) => new(name, OnnxAttributeType.String) { StringValue = value };

    /// <summary>A tensor attribute (e.g. <c>Constant</c>'s <c>value</c>).</summary>
    public static OnnxAttribute Tensor(string name, OnnxTensor value) => new(name, OnnxAttributeType.Tensor) { TensorValue = value };

    /// <summary>A subgraph attribute (e.g. <c>If</c>'s <c>then_branch</c>).</summary>
    public static OnnxAttribute Graph(string name, OnnxGraph value) => new(name, OnnxAttributeType.Graph) { GraphValue = value };

    /// <summary>A list-of-floats attribute.</summary>
    public static OnnxAttribute Floats(string name, params float[] values) => new(name, OnnxAttributeType.Floats) { FloatsValue = values };

    /// <summary>A list-of-integers attribute (e.g. <c>perm</c>, <c>axes</c>).</summary>
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, OnnxAttributeType.Ints) { IntsValue = values };

    /// <summary>A list-of-strings attribute.</summary>
    public static OnnxAttribute Strings(string name, params string[] values) => new(name, OnnxAttributeType.Strings) { StringsValue = values };
}
