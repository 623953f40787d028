using BenchPlatform.InferenceWorker.Onnx;

namespace BenchPlatform.InferenceWorker.Samples;

/// <summary>
/// Small models written with the project's ONNX writer: what the quick start registers and the tests use.
/// Weights are deterministic (a fixed-seed generator), so outputs are reproducible everywhere.
/// </summary>
public static class SampleModels
{
    /// <summary>Every sample by name.</summary>
    public static IReadOnlyDictionary<string, Func<byte[]>> All { get; } = new Dictionary<string, Func<byte[]>>
    {
        ["linear"] = Linear,
        ["mlp"] = Mlp,
        ["dynamic"] = Dynamic,
        ["int64-bool"] = Int64Bool,
        ["two-in-two-out"] = TwoInTwoOut,
        ["types"] = AllTypes,
    };

    /// <summary>The weight matrix [4, 2] of <see cref="Linear"/>, row-major.</summary>
    public static readonly float[] LinearWeights = [0.5f, -1f, 1f, 0.25f, -0.5f, 2f, 1.5f, 0f];

    /// <summary>The bias [2] of <see cref="Linear"/>.</summary>
    public static readonly float[] LinearBias = [0.1f, -0.2f];

    /// <summary><c>y = x·W + b</c>: x FP32 [batch, 4] → y FP32 [batch, 2].</summary>
    public static byte[] Linear()
    {
        var g = new OnnxGraphBuilder("linear");
        var x = g.Input("x", OnnxDataType.Float, "batch", 4);
        var w = g.Initializer("W", [4, 2], LinearWeights);
        var b = g.Initializer("b", [2], LinearBias);
        g.OpTo("y", "Add", [g.Op("MatMul", [x, w]), b]);
        g.Output("y", OnnxDataType.Float, "batch", 2);
        return OnnxModelWriter.ToBytes(g.BuildModel());
    }

    /// <summary>Features per row of <see cref="Mlp"/>'s input (a flattened 28×28 image).</summary>
    public const int MlpInputs = 784;

    /// <summary>
    /// An MNIST-classifier-sized perceptron (about 0.53 M weights, 2 MB): x FP32 [batch, 784] → Gemm 512 → ReLU →
    /// Gemm 256 → ReLU → Gemm 10 → Softmax → probabilities FP32 [batch, 10]. Weights are seeded He-uniform.
    /// </summary>
    public static byte[] Mlp() => Perceptron("mlp", [MlpInputs, 512, 256, 10]);

    /// <summary>
    /// A wide perceptron for benchmarks, not registered as a sample: x FP32 [batch, 784] → Gemm 4096 → ReLU → Gemm 4096
    /// → ReLU → Gemm 10 → Softmax (20 M weights, 80 MB). A single row streams every weight from memory; a merged batch
    /// streams them once, so its compute, not the request handling, sets the throughput.
    /// </summary>
    public static byte[] WideMlp() => Perceptron("wide-mlp", [MlpInputs, 4096, 4096, 10]);

    private static byte[] Perceptron(string name, int[] sizes)
    {
        var random = new Random(20261123);
        var g = new OnnxGraphBuilder(name);
        var h = g.Input("x", OnnxDataType.Float, "batch", MlpInputs);
        for (var layer = 0; layer < sizes.Length - 1; layer++)
        {
            var (fanIn, fanOut) = (sizes[layer], sizes[layer + 1]);
            var scale = MathF.Sqrt(2f / fanIn);
            var w = new float[fanIn * fanOut];
            for (var i = 0; i < w.Length; i++)
            {
                w[i] = ((float)random.NextDouble() - 0.5f) * 2 * scale;
            }

            var b = new float[fanOut];
            for (var i = 0; i < b.Length; i++)
            {
                b[i] = ((float)random.NextDouble() - 0.5f) * 0.1f;
            }

            h = g.Op("Gemm", [h, g.Initializer($"W{layer}", [fanIn, fanOut], w), g.Initializer($"b{layer}", [fanOut], b)]);
            if (layer < sizes.Length - 2)
            {
                h = g.Op("Relu", [h]);
            }
        }

        g.OpTo("probabilities", "Softmax", [h], OnnxAttribute.Int("axis", -1));
        g.Output("probabilities", OnnxDataType.Float, "batch", 10);
        return OnnxModelWriter.ToBytes(g.BuildModel());
    }

    /// <summary>Dynamic axes: x FP32 [batch, n] → scaled = 2·x [batch, n] and total = Σ x over n [batch, 1].</summary>
    public static byte[] Dynamic()
    {
        var g = new OnnxGraphBuilder("dynamic");
        var x = g.Input("x", OnnxDataType.Float, "batch", "n");
        g.OpTo("scaled", "Mul", [x, g.Initializer(OnnxTensor.Scalar("two", 2f))]);
        g.OpTo("total", "ReduceSum", [x, g.Int64s("axes", 1)], OnnxAttribute.Int("keepdims", 1));
        g.Output("scaled", OnnxDataType.Float, "batch", "n");
        g.Output("total", OnnxDataType.Float, "batch", 1);
        return OnnxModelWriter.ToBytes(g.BuildModel());
    }

    /// <summary>INT64 and BOOL: ids INT64 [batch, 4], mask BOOL [batch, 4] → kept = mask ? ids : -1 (INT64), any = mask has a true (BOOL [batch, 1]).</summary>
    public static byte[] Int64Bool()
    {
        var g = new OnnxGraphBuilder("int64-bool");
        var ids = g.Input("ids", OnnxDataType.Int64, "batch", 4);
        var mask = g.Input("mask", OnnxDataType.Bool, "batch", 4);
        g.OpTo("kept", "Where", [mask, ids, g.Initializer(OnnxTensor.Scalar("minus_one", -1L))]);
        var asInt = g.Op("Cast", [mask], OnnxAttribute.Int("to", (long)OnnxDataType.Int32));
        var max = g.Op("ReduceMax", [asInt], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1));
        g.OpTo("any", "Cast", [max], OnnxAttribute.Int("to", (long)OnnxDataType.Bool));
        g.Output("kept", OnnxDataType.Int64, "batch", 4);
        g.Output("any", OnnxDataType.Bool, "batch", 1);
        return OnnxModelWriter.ToBytes(g.BuildModel());
    }

    /// <summary>Two inputs, two outputs: a, b FP32 [batch, 3] → sum = a + b, product = a · b.</summary>
    public static byte[] TwoInTwoOut()
    {
        var g = new OnnxGraphBuilder("two-in-two-out");
        var a = g.Input("a", OnnxDataType.Float, "batch", 3);
        var b = g.Input("b", OnnxDataType.Float, "batch", 3);
        g.OpTo("sum", "Add", [a, b]);
        g.OpTo("product", "Mul", [a, b]);
        g.Output("sum", OnnxDataType.Float, "batch", 3);
        g.Output("product", OnnxDataType.Float, "batch", 3);
        return OnnxModelWriter.ToBytes(g.BuildModel());
    }

    /// <summary>Every API datatype: for each of BOOL, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FP16, FP32, FP64, STRING an input <c>in_T</c> [batch, 2] echoed to <c>out_T</c>.</summary>
    public static byte[] AllTypes()
    {
        var g = new OnnxGraphBuilder("types");
        foreach (var (name, type) in TypeNames)
        {
            g.Input("in_" + name, type, "batch", 2);
            g.OpTo("out_" + name, "Identity", ["in_" + name]);
            g.Output("out_" + name, type, "batch", 2);
        }

        return OnnxModelWriter.ToBytes(g.BuildModel());
    }

    /// <summary>The datatypes <see cref="AllTypes"/> carries, by v2 name.</summary>
    public static readonly (string Name, OnnxDataType Type)[] TypeNames =
    [
        ("BOOL", OnnxDataType.Bool), ("INT8", OnnxDataType.Int8), ("INT16", OnnxDataType.Int16), ("INT32", OnnxDataType.Int32),
        ("INT64", OnnxDataType.Int64), ("UINT8", OnnxDataType.UInt8), ("UINT16", OnnxDataType.UInt16), ("UINT32", OnnxDataType.UInt32),
        ("UINT64", OnnxDataType.UInt64), ("FP16", OnnxDataType.Float16), ("FP32", OnnxDataType.Float), ("FP64", OnnxDataType.Double),
        ("STRING", OnnxDataType.String),
    ];
}
