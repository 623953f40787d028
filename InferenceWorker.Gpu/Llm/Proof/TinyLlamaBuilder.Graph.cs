using BenchPlatform.InferenceWorker.Onnx;

namespace BenchPlatform.InferenceWorker.Llm.Proof;

// The ONNX graph: embedding, the layers (RMSNorm, rotary attention with a KV cache, SwiGLU), the head; merged or not.
public static partial class TinyLlamaBuilder
{
    private static OnnxModel BuildGraph(TinyLlamaShape s, int vocab, TinyLlamaWeights weights, bool merged)
    {
        var d = s.Hidden;
        var headDim = s.HeadDim;
        var half = headDim / 2;
        var kvDim = s.KvHeads * headDim;
        var g = new OnnxGraphBuilder("tiny_llama");
        var ids = g.Input("input_ids", OnnxDataType.Int64, "batch_size", "sequence_length");
        var mask = g.Input("attention_mask", OnnxDataType.Int64, "batch_size", "total_sequence_length");
        var positions = g.Input("position_ids", OnnxDataType.Int64, "batch_size", "sequence_length");
        for (var i = 0; i < s.Layers; i++)
        {
            g.Input($"past_key_values.{i}.key", OnnxDataType.Float, "batch_size", s.KvHeads, "past_sequence_length", headDim);
            g.Input($"past_key_values.{i}.value", OnnxDataType.Float, "batch_size", s.KvHeads, "past_sequence_length", headDim);
        }

        var pastKeys = new string[s.Layers];
        var pastValues = new string[s.Layers];
        for (var i = 0; i < s.Layers; i++)
        {
            (pastKeys[i], pastValues[i]) = ($"past_key_values.{i}.key", $"past_key_values.{i}.value");
        }

        if (merged)
        {
            // Optimum's merged decoder: If(use_cache_branch) → the past as given, else → an empty past.
            g.Input("use_cache_branch", OnnxDataType.Bool, 1);
            var emptyStart = g.Int64s("const_empty_start", 0);
            var emptyAxis = g.Int64s("const_empty_axis", 2);
            var withCache = new OnnxGraphBuilder("with_cache");
            var withoutCache = new OnnxGraphBuilder("without_cache");
            var outputs = new List<string>();
            for (var i = 0; i < s.Layers; i++)
            {
                foreach (var (past, kind) in new[] { (pastKeys[i], "key"), (pastValues[i], "value") })
                {
                    var name = $"past_in.{i}.{kind}";
                    withCache.OpTo($"{name}.then", "Identity", [past]);
                    withCache.Output($"{name}.then", OnnxDataType.Float, "batch_size", s.KvHeads, "past_sequence_length", headDim);
                    withoutCache.OpTo($"{name}.else", "Slice", [past, emptyStart, emptyStart, emptyAxis]);
                    withoutCache.Output($"{name}.else", OnnxDataType.Float, "batch_size", s.KvHeads, 0, headDim);
                    outputs.Add(name);
                }

                (pastKeys[i], pastValues[i]) = ($"past_in.{i}.key", $"past_in.{i}.value");
            }

            g.Node(new OnnxNode("If", ["use_cache_branch"], outputs,
                [OnnxAttribute.Graph("then_branch", withCache.Build()), OnnxAttribute.Graph("else_branch", withoutCache.Build())], "If_cache_branch"));
        }

        var x = g.Op("Gather", [g.Initializer("model.embed_tokens.weight", [vocab, d], weights.Embedding), ids], OnnxAttribute.Int("axis", 0));

        // Attention bias [batch, 1, seq, total]: 0 where key t is visible to query s, a large negative number elsewhere.
        var zero = g.Initializer<long>("const_zero", [], [0]);
        var one = g.Initializer<long>("const_one", [], [1]);
        var seqLen = g.Op("Gather", [g.Op("Shape", [ids]), one], OnnxAttribute.Int("axis", 0));
        var totalLen = g.Op("Gather", [g.Op("Shape", [mask]), one], OnnxAttribute.Int("axis", 0));
        var rows = g.Op("Add", [g.Op("Range", [zero, seqLen, one]), g.Op("Sub", [totalLen, seqLen])]);
        var cols = g.Op("Range", [zero, totalLen, one]);
        var causal = g.Op("LessOrEqual", [g.Op("Unsqueeze", [cols, g.Int64s("axes_0", 0)]), g.Op("Unsqueeze", [rows, g.Int64s("axes_1", 1)])]);
        var visible = g.Op("Unsqueeze", [g.Op("Cast", [mask], OnnxAttribute.Int("to", (long)OnnxDataType.Bool)), g.Int64s("axes_12", 1, 2)]);
        var bias = g.Op("Where", [g.Op("And", [causal, visible]), g.Initializer<float>("const_f0", [], [0f]), g.Initializer<float>("const_neg", [], [-1e9f])]);

        // Rotary embedding tables [context, head_dim / 2], gathered by position: [batch, 1, seq, head_dim / 2].
        var cosTable = new float[s.Context * half];
        var sinTable = new float[s.Context * half];
        for (var p = 0; p < s.Context; p++)
        {
            for (var j = 0; j < half; j++)
            {
                var angle = p * Math.Pow(s.RopeBase, -2.0 * j / headDim);
                cosTable[p * half + j] = (float)Math.Cos(angle);
                sinTable[p * half + j] = (float)Math.Sin(angle);
            }
        }

        var axis1 = g.Int64s("axes_head", 1);
        var cos = g.Op("Unsqueeze", [g.Op("Gather", [g.Initializer("rope.cos", [s.Context, half], cosTable), positions], OnnxAttribute.Int("axis", 0)), axis1]);
        var sin = g.Op("Unsqueeze", [g.Op("Gather", [g.Initializer("rope.sin", [s.Context, half], sinTable), positions], OnnxAttribute.Int("axis", 0)), axis1]);
        var pairs = g.Int64s("shape_pairs", 0, 0, 0, half, 2);
        var unpair = g.Int64s("shape_unpair", 0, 0, 0, headDim);
        var lastAxis = g.Int64s("axes_last", 4);
        var first = g.Initializer<long>("const_pair0", [], [0]);
        var second = g.Initializer<long>("const_pair1", [], [1]);

        // GGML's rope (adjacent pairs): (x0, x1) → (x0 cos − x1 sin, x0 sin + x1 cos).
        string Rope(string t)
        {
            var paired = g.Op("Reshape", [t, pairs]);
            var x0 = g.Op("Gather", [paired, first], OnnxAttribute.Int("axis", 4));
            var x1 = g.Op("Gather", [paired, second], OnnxAttribute.Int("axis", 4));
            var r0 = g.Op("Sub", [g.Op("Mul", [x0, cos]), g.Op("Mul", [x1, sin])]);
            var r1 = g.Op("Add", [g.Op("Mul", [x0, sin]), g.Op("Mul", [x1, cos])]);
            return g.Op("Reshape", [g.Op("Concat", [g.Op("Unsqueeze", [r0, lastAxis]), g.Op("Unsqueeze", [r1, lastAxis])], OnnxAttribute.Int("axis", 4)), unpair]);
        }

        var epsilon = g.Initializer<float>("const_eps", [], [s.NormEpsilon]);
        string RmsNorm(string t, string name, float[] gamma)
        {
            var meanSquare = g.Op("ReduceMean", [g.Op("Mul", [t, t])], OnnxAttribute.Ints("axes", -1), OnnxAttribute.Int("keepdims", 1));
            return g.Op("Mul", [g.Op("Div", [t, g.Op("Sqrt", [g.Op("Add", [meanSquare, epsilon])])]), g.Initializer(name, [d], gamma)]);
        }

        string Linear(string t, string name, float[] weight, int outputs, int inputs) =>
            g.Op("MatMul", [t, g.Initializer(name, [inputs, outputs], TinyLlamaWeights.Transpose(weight, outputs, inputs))]);

        var splitQ = g.Int64s("shape_q", 0, 0, s.Heads, headDim);
        var splitKv = g.Int64s("shape_kv", 0, 0, s.KvHeads, headDim);
        var merge = g.Int64s("shape_merge", 0, 0, d);
        var repeat = s.Heads / s.KvHeads;
        var expand = g.Int64s("shape_repeat", 1, 1, repeat, 1, 1);
        var grouped = g.Int64s("shape_grouped", 0, s.Heads, -1, headDim);
        var axis2 = g.Int64s("axes_group", 2);
        var scale = g.Initializer<float>("const_scale", [], [1f / MathF.Sqrt(headDim)]);
        var perm = OnnxAttribute.Ints("perm", 0, 2, 1, 3);
        for (var i = 0; i < s.Layers; i++)
        {
            var p = $"model.layers.{i}";
            var layer = weights.Layers[i];
            var h = RmsNorm(x, $"{p}.input_layernorm.weight", layer.AttentionNorm);
            var q = Rope(g.Op("Transpose", [g.Op("Reshape", [Linear(h, $"{p}.self_attn.q_proj.weight", layer.Query, d, d), splitQ])], perm));
            var kNew = Rope(g.Op("Transpose", [g.Op("Reshape", [Linear(h, $"{p}.self_attn.k_proj.weight", layer.Key, kvDim, d), splitKv])], perm));
            var vNew = g.Op("Transpose", [g.Op("Reshape", [Linear(h, $"{p}.self_attn.v_proj.weight", layer.Value, kvDim, d), splitKv])], perm);
            var k = g.OpTo($"present.{i}.key", "Concat", [pastKeys[i], kNew], OnnxAttribute.Int("axis", 2));
            var v = g.OpTo($"present.{i}.value", "Concat", [pastValues[i], vNew], OnnxAttribute.Int("axis", 2));
            if (repeat > 1)
            {
                // [batch, kv_heads, t, dim] → [batch, kv_heads, repeat, t, dim] → [batch, heads, t, dim]: head h reads kv head h / repeat.
                k = g.Op("Reshape", [g.Op("Expand", [g.Op("Unsqueeze", [k, axis2]), expand]), grouped]);
                v = g.Op("Reshape", [g.Op("Expand", [g.Op("Unsqueeze", [v, axis2]), expand]), grouped]);
            }

            var scores = g.Op("Add", [g.Op("Mul", [g.Op("MatMul", [q, g.Op("Transpose", [k], OnnxAttribute.Ints("perm", 0, 1, 3, 2))]), scale]), bias]);
            var attended = g.Op("Reshape", [g.Op("Transpose", [g.Op("MatMul", [g.Op("Softmax", [scores], OnnxAttribute.Int("axis", -1)), v])], perm), merge]);
            x = g.Op("Add", [x, Linear(attended, $"{p}.self_attn.o_proj.weight", layer.AttentionOutput, d, d)]);

            var h2 = RmsNorm(x, $"{p}.post_attention_layernorm.weight", layer.FeedForwardNorm);
            var gate = Linear(h2, $"{p}.mlp.gate_proj.weight", layer.Gate, s.FeedForward, d);
            var up = Linear(h2, $"{p}.mlp.up_proj.weight", layer.Up, s.FeedForward, d);
            var act = g.Op("Mul", [g.Op("Mul", [gate, g.Op("Sigmoid", [gate])]), up]);
            x = g.Op("Add", [x, Linear(act, $"{p}.mlp.down_proj.weight", layer.Down, d, s.FeedForward)]);
        }

        var final = RmsNorm(x, "model.norm.weight", weights.OutputNorm);
        g.OpTo("logits", "MatMul", [final, g.Initializer("lm_head.weight", [d, vocab], TinyLlamaWeights.Transpose(weights.Output, vocab, d))]);
        g.Output("logits", OnnxDataType.Float, "batch_size", "sequence_length", vocab);
        for (var i = 0; i < s.Layers; i++)
        {
            g.Output($"present.{i}.key", OnnxDataType.Float, "batch_size", s.KvHeads, "total_sequence_length", headDim);
            g.Output($"present.{i}.value", OnnxDataType.Float, "batch_size", s.KvHeads, "total_sequence_length", headDim);
        }

        return g.BuildModel() with
        {
            DocString = "BenchPlatform proof Llama: fixed random weights, byte-level BPE vocabulary; the same weights as its GGUF twin.",
            Metadata = new Dictionary<string, string> { ["architecture"] = "llama" },
        };
    }
}
