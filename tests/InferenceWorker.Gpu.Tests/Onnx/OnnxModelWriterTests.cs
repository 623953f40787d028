using BenchPlatform.InferenceWorker.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace BenchPlatform.InferenceWorker.Tests.Onnx;

public sealed class OnnxModelWriterTests
{
    [Fact]
    public void Write_LinearWithDynamicBatch_LoadsAndComputesXwPlusB()
    {
        var g = new OnnxGraphBuilder("linear");
        var x = g.Input("x", OnnxDataType.Float, "batch", 3);
        var w = g.Initializer("w", [3, 2], new float[] { 1, 2, 3, 4, 5, 6 });
        var b = g.Initializer("b", [2], new float[] { 0.5f, -1 });
        g.OpTo("y", "Add", [g.Op("MatMul", [x, w]), b]);
        g.Output("y", OnnxDataType.Float, "batch", 2);

        using var runner = new OrtRunner(OnnxModelWriter.ToBytes(g.BuildModel()));
        var input = runner.Session.InputMetadata["x"];
        Assert.Equal([-1, 3], input.Dimensions);
        Assert.Equal("batch", input.SymbolicDimensions[0]);

        var y = runner.With("x", [2, 3], new float[] { 1, 0, 0, 1, 1, 1 }).Run()["y"];
        Assert.Equal([2, 2], y.GetTensorTypeAndShape().Shape);
        Assert.Equal([1.5f, 1, 9.5f, 11], y.GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public void Write_AttributesOfEveryKind_AreReadByTheOperators()
    {
        var g = new OnnxGraphBuilder("attributes");
        var a = g.Input("a", OnnxDataType.Float, 2, 3);
        var bt = g.Initializer("bt", [2, 3], new float[] { 1, 0, 0, 0, 1, 0 });
        // Gemm: float alpha, int transB.
        g.OpTo("gemm", "Gemm", [a, bt], OnnxAttribute.Float("alpha", 2f), OnnxAttribute.Int("transB", 1));
        // Transpose: ints perm.
        g.OpTo("transposed", "Transpose", [a], OnnxAttribute.Ints("perm", 1, 0));
        // Constant: floats, string and tensor attributes.
        g.OpTo("floats", "Constant", [], OnnxAttribute.Floats("value_floats", 0.25f, -2f));
        g.OpTo("text", "Constant", [], OnnxAttribute.String("value_string", "héllo"));
        g.OpTo("tensor", "Constant", [], OnnxAttribute.Tensor("value", OnnxTensor.Create<long>("t", [2], [7, -9])));
        // Pad: string mode.
        g.OpTo("padded", "Pad", [a, g.Int64s("pads", 0, 1, 0, 0)], OnnxAttribute.String("mode", "edge"));
        g.Output("gemm", OnnxDataType.Float, 2, 2);
        g.Output("transposed", OnnxDataType.Float, 3, 2);
        g.Output("floats", OnnxDataType.Float, 2);
        g.Output("text", OnnxDataType.String);
        g.Output("tensor", OnnxDataType.Int64, 2);
        g.Output("padded", OnnxDataType.Float, 2, 4);

        using var runner = new OrtRunner(OnnxModelWriter.ToBytes(g.BuildModel()));
        var outputs = runner.With("a", [2, 3], new float[] { 1, 2, 3, 4, 5, 6 }).Run();

        Assert.Equal([2f, 4, 8, 10], outputs["gemm"].GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal([1f, 4, 2, 5, 3, 6], outputs["transposed"].GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal([0.25f, -2f], outputs["floats"].GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal(["héllo"], outputs["text"].GetStringTensorAsArray());
        Assert.Equal([7L, -9], outputs["tensor"].GetTensorDataAsSpan<long>().ToArray());
        Assert.Equal([1f, 1, 2, 3, 4, 4, 5, 6], outputs["padded"].GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public void Write_InitializersOfEveryElementType_RoundTripThroughOnnxRuntime()
    {
        var g = new OnnxGraphBuilder("types");
        var dummy = g.Input("unused", OnnxDataType.Float, 1);
        _ = dummy;
        void Pass(OnnxTensor t, OnnxDataType type)
        {
            g.OpTo(t.Name + "_out", "Identity", [g.Initializer(t)]);
            g.Output(t.Name + "_out", type, [.. t.Dims.Select(d => (OnnxDim)d)]);
        }

        Pass(OnnxTensor.Create<float>("f32", [2], [1.5f, float.NegativeInfinity]), OnnxDataType.Float);
        Pass(OnnxTensor.Create<Half>("f16", [2], [(Half)0.5f, (Half)(-3f)]), OnnxDataType.Float16);
        Pass(OnnxTensor.Create<double>("f64", [1], [Math.PI]), OnnxDataType.Double);
        Pass(OnnxTensor.Create<int>("i32", [3], [int.MinValue, 0, int.MaxValue]), OnnxDataType.Int32);
        Pass(OnnxTensor.Create<long>("i64", [2], [long.MinValue, long.MaxValue]), OnnxDataType.Int64);
        Pass(OnnxTensor.Create<bool>("b", [3], [true, false, true]), OnnxDataType.Bool);
        Pass(OnnxTensor.Create<sbyte>("i8", [2], [-128, 127]), OnnxDataType.Int8);
        Pass(OnnxTensor.Create<byte>("u8", [2], [0, 255]), OnnxDataType.UInt8);
        Pass(OnnxTensor.Scalar("scalar", 42L), OnnxDataType.Int64);
        Pass(OnnxTensor.FromStrings("s", [2], ["a", "ü"]), OnnxDataType.String);
        // An FP16 weight cast up, as a half-precision model stores its weights.
        g.OpTo("f16_as_f32", "Cast", ["f16"], OnnxAttribute.Int("to", (long)OnnxDataType.Float));
        g.Output("f16_as_f32", OnnxDataType.Float, 2);

        using var runner = new OrtRunner(OnnxModelWriter.ToBytes(g.BuildModel()));
        var o = runner.With("unused", [1], new float[] { 0 }).Run();

        Assert.Equal([1.5f, float.NegativeInfinity], o["f32_out"].GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal([(Half)0.5f, (Half)(-3f)], System.Runtime.InteropServices.MemoryMarshal.Cast<Float16, Half>(o["f16_out"].GetTensorDataAsSpan<Float16>()).ToArray());
        Assert.Equal([Math.PI], o["f64_out"].GetTensorDataAsSpan<double>().ToArray());
        Assert.Equal([int.MinValue, 0, int.MaxValue], o["i32_out"].GetTensorDataAsSpan<int>().ToArray());
        Assert.Equal([long.MinValue, long.MaxValue], o["i64_out"].GetTensorDataAsSpan<long>().ToArray());
        Assert.Equal([true, false, true], o["b_out"].GetTensorDataAsSpan<bool>().ToArray());
        Assert.Equal([(sbyte)-128, (sbyte)127], o["i8_out"].GetTensorDataAsSpan<sbyte>().ToArray());
        Assert.Equal([(byte)0, (byte)255], o["u8_out"].GetTensorDataAsSpan<byte>().ToArray());
        Assert.Empty(o["scalar_out"].GetTensorTypeAndShape().Shape);
        Assert.Equal([42L], o["scalar_out"].GetTensorDataAsSpan<long>().ToArray());
        Assert.Equal(["a", "ü"], o["s_out"].GetStringTensorAsArray());
        Assert.Equal([0.5f, -3f], o["f16_as_f32"].GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public void Write_TinyCausalAttentionDecoder_MatchesAReferenceComputedInCSharp()
    {
        const int Vocab = 5, D = 4, MaxSeq = 8;
        var rng = new Random(7);
        float[] Rand(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var embedding = Rand(Vocab * D);
        var wq = Rand(D * D);
        var wk = Rand(D * D);
        var wv = Rand(D * D);
        var causal = new bool[MaxSeq * MaxSeq];
        for (var i = 0; i < MaxSeq; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                causal[(i * MaxSeq) + j] = true;
            }
        }

        var g = new OnnxGraphBuilder("decoder");
        var tokens = g.Input("tokens", OnnxDataType.Int64, "batch", "seq");
        var x = g.Op("Gather", [g.Initializer("embedding", [Vocab, D], embedding), tokens], OnnxAttribute.Int("axis", 0));
        var q = g.Op("MatMul", [x, g.Initializer("wq", [D, D], wq)]);
        var k = g.Op("MatMul", [x, g.Initializer("wk", [D, D], wk)]);
        var v = g.Op("MatMul", [x, g.Initializer("wv", [D, D], wv)]);
        var kt = g.Op("Transpose", [k], OnnxAttribute.Ints("perm", 0, 2, 1));
        var scores = g.Op("Mul", [g.Op("MatMul", [q, kt]), g.Initializer(OnnxTensor.Scalar("scale", 1 / MathF.Sqrt(D)))]);
        // The causal mask for this length: Slice the [MaxSeq, MaxSeq] mask to [seq, seq].
        var seq = g.Op("Gather", [g.Op("Shape", [tokens]), g.Int64s("one", 1)], OnnxAttribute.Int("axis", 0));
        var ends = g.Op("Concat", [seq, seq], OnnxAttribute.Int("axis", 0));
        var mask = g.Op("Slice", [g.Initializer("causal", [MaxSeq, MaxSeq], causal), g.Int64s("starts", 0, 0), ends, g.Int64s("axes", 0, 1)]);
        var masked = g.Op("Where", [mask, scores, g.Initializer(OnnxTensor.Scalar("neg", -1e9f))]);
        var attention = g.Op("MatMul", [g.Op("Softmax", [masked], OnnxAttribute.Int("axis", -1)), v]);
        var both = g.Op("Concat", [attention, x], OnnxAttribute.Int("axis", -1));
        g.OpTo("flat", "Reshape", [both, g.Int64s("flat_shape", 0, -1)]);
        g.Output("flat", OnnxDataType.Float, "batch", "flat_features");

        long[] input = [1, 4, 2, 0, 3, 3];
        using var runner = new OrtRunner(OnnxModelWriter.ToBytes(g.BuildModel()));
        var flat = runner.With("tokens", [2, 3], input).Run()["flat"];

        Assert.Equal([2, 3 * 2 * D], flat.GetTensorTypeAndShape().Shape);
        var expected = ReferenceDecoder(input, 2, 3, D, embedding, wq, wk, wv);
        var actual = flat.GetTensorDataAsSpan<float>().ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-5f);
        }
    }

    [Fact]
    public void Write_IfWithSubgraphsAndStringInput_RunsTheChosenBranch()
    {
        static OnnxGraph Branch(string name, float value)
        {
            var b = new OnnxGraphBuilder(name);
            b.OpTo(name + "_value", "Constant", [], OnnxAttribute.Tensor("value", OnnxTensor.Create<float>("c", [1], [value])));
            b.Output(name + "_value", OnnxDataType.Float, 1);
            return b.Build();
        }

        var g = new OnnxGraphBuilder("branches");
        var cond = g.Input("cond", OnnxDataType.Bool);
        var words = g.Input("words", OnnxDataType.String, "n");
        g.OpTo("chosen", "If", [cond], OnnxAttribute.Graph("then_branch", Branch("then", 1)), OnnxAttribute.Graph("else_branch", Branch("else", -1)));
        g.OpTo("echo", "Identity", [words]);
        g.Output("chosen", OnnxDataType.Float, 1);
        g.Output("echo", OnnxDataType.String, "n");

        var model = OnnxModelWriter.ToBytes(g.BuildModel() with { Metadata = new Dictionary<string, string> { ["purpose"] = "test" } });
        using var runner = new OrtRunner(model);
        var outputs = runner.With("cond", [], new[] { false }).WithStrings("words", [2], ["x", "yz"]).Run();

        Assert.Equal([-1f], outputs["chosen"].GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal(["x", "yz"], outputs["echo"].GetStringTensorAsArray());
        Assert.Equal("test", runner.Session.ModelMetadata.CustomMetadataMap["purpose"]);
    }

    [Fact]
    public void Tensor_ValueCountNotMatchingShape_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => OnnxTensor.Create<float>("w", [2, 2], [1, 2, 3]));
        Assert.Contains("'w'", error.Message, StringComparison.Ordinal);
    }

    private static float[] ReferenceDecoder(long[] tokens, int batch, int seq, int d, float[] emb, float[] wq, float[] wk, float[] wv)
    {
        var result = new float[batch * seq * 2 * d];
        for (var b = 0; b < batch; b++)
        {
            var x = new float[seq, d];
            for (var s = 0; s < seq; s++)
            {
                for (var j = 0; j < d; j++)
                {
                    x[s, j] = emb[(tokens[(b * seq) + s] * d) + j];
                }
            }

            float[,] Project(float[] w)
            {
                var r = new float[seq, d];
                for (var s = 0; s < seq; s++)
                {
                    for (var j = 0; j < d; j++)
                    {
                        for (var i = 0; i < d; i++)
                        {
                            r[s, j] += x[s, i] * w[(i * d) + j];
                        }
                    }
                }

                return r;
            }

            var (q, k, v) = (Project(wq), Project(wk), Project(wv));
            for (var s = 0; s < seq; s++)
            {
                var weights = new double[seq];
                var max = double.NegativeInfinity;
                for (var t = 0; t <= s; t++)
                {
                    double dot = 0;
                    for (var j = 0; j < d; j++)
                    {
                        dot += q[s, j] * k[t, j];
                    }

                    weights[t] = dot / Math.Sqrt(d);
                    max = Math.Max(max, weights[t]);
                }

                double sum = 0;
                for (var t = 0; t <= s; t++)
                {
                    weights[t] = Math.Exp(weights[t] - max);
                    sum += weights[t];
                }

                var row = ((b * seq) + s) * 2 * d;
                for (var j = 0; j < d; j++)
                {
                    double acc = 0;
                    for (var t = 0; t <= s; t++)
                    {
                        acc += weights[t] / sum * v[t, j];
                    }

                    result[row + j] = (float)acc;
                    result[row + d + j] = x[s, j];
                }
            }
        }

        return result;
    }
}
