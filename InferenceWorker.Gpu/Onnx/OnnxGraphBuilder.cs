namespace BenchPlatform.InferenceWorker.Onnx;

/// <summary>
/// Builds an <see cref="OnnxGraph"/> node by node: <see cref="Op(string, IReadOnlyList{string}, OnnxAttribute[])"/>
/// returns the generated name of the node's output so calls chain like ordinary expressions.
/// </summary>
public sealed class OnnxGraphBuilder(string name)
{
    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly List<OnnxValueInfo> _inputs = [];
    private readonly List<OnnxValueInfo> _outputs = [];
    private readonly List<OnnxValueInfo> _valueInfo = [];
    private int _next;

    /// <summary>Declares a graph input; dims are numbers (static) or names (dynamic). Returns its name.</summary>
    public string Input(string inputName, OnnxDataType type, params OnnxDim[] shape)
    {
        _inputs.Add(new OnnxValueInfo(inputName, type, shape));
        return inputName;
    }

    /// <summary>Declares a value as a graph output with its type and shape.</summary>
    public string Output(string valueName, OnnxDataType type, params OnnxDim[] shape)
    {
        _outputs.Add(new OnnxValueInfo(valueName, type, shape));
        return valueName;
    }

    /// <summary>Declares a graph output whose rank is unknown.</summary>
    public string OutputUnknownShape(string valueName, OnnxDataType type)
    {
        _outputs.Add(new OnnxValueInfo(valueName, type, null));
        return valueName;
    }

    /// <summary>Adds type information for an intermediate value.</summary>
    public void ValueInfo(OnnxValueInfo value) => _valueInfo.Add(value);

    /// <summary>Adds a constant initializer; returns its name.</summary>
    public string Initializer(OnnxTensor tensor)
    {
        _initializers.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a constant initializer of <typeparamref name="T"/>; returns its name.</summary>
    public string Initializer<T>(string tensorName, long[] dims, T[] values) where T : unmanaged =>
        Initializer(OnnxTensor.Create<T>(tensorName, dims, values));

    /// <summary>Adds a one-dimensional INT64 initializer (shapes, axes, starts/ends); returns its name.</summary>
    public string Int64s(string tensorName, params long[] values) => Initializer(tensorName, [values.Length], values);

    /// <summary>Adds a node with one output and returns the output's generated name.</summary>
    public string Op(string opType, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        OpTo($"{opType}_{_next}_out", opType, inputs, attributes);

    /// <summary>Adds a node with one output called <paramref name="output"/>; returns that name.</summary>
    public string OpTo(string output, string opType, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes)
    {
        Node(new OnnxNode(opType, inputs, [output], attributes, $"{opType}_{_next++}"));
        return output;
    }

    /// <summary>Adds a node with <paramref name="outputCount"/> outputs and returns their generated names.</summary>
    public string[] OpMulti(string opType, IReadOnlyList<string> inputs, int outputCount, params OnnxAttribute[] attributes)
    {
        var id = _next++;
        var outputs = new string[outputCount];
        for (var i = 0; i < outputCount; i++)
        {
            outputs[i] = $"{opType}_{id}_out{i}";
        }

        Node(new OnnxNode(opType, inputs, outputs, attributes, $"{opType}_{id}"));
        return outputs;
    }

    /// <summary>Adds a fully specified node (custom domains, hand-picked output names).</summary>
    public void Node(OnnxNode node) => _nodes.Add(node);

    /// <summary>The graph built so far.</summary>
    public OnnxGraph Build() =>
        new(name, [.. _nodes], [.. _initializers], [.. _inputs], [.. _outputs]) { ValueInfo = [.. _valueInfo] };

    /// <summary>The graph as a model importing the default-domain opset <paramref name="opset"/>.</summary>
    public OnnxModel BuildModel(long opset = OnnxModel.DefaultOpset) =>
        new(Build()) { OpsetImports = new Dictionary<string, long> { [""] = opset } };
}
