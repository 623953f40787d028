using System.Text.Encodings.Web;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Llm.Gguf;
using BenchPlatform.InferenceWorker.Onnx;

namespace BenchPlatform.InferenceWorker.Llm.Proof;

/// <summary>
/// Writes one small Llama-architecture model (RMSNorm, rotary embeddings, grouped-query attention, SwiGLU; fixed
/// random weights; a byte-level BPE vocabulary of a few hundred tokens with ChatML markers) twice: as a GGUF file
/// that llama.cpp loads, and as an Optimum-style ONNX folder (<c>model.onnx</c> with past key values,
/// <c>tokenizer.json</c>, <c>tokenizer_config.json</c> with the chat template, <c>config.json</c>,
/// <c>generation_config.json</c>). The same weights in both, so both engines must give the same tokens.
/// </summary>
public static class TinyLlamaBuilder
{
    /// <summary>Beginning of text of the byte-level vocabulary (added before a completion prompt; the chat template writes it itself).</summary>
    public const string Bos = "<|begin_of_text|>";

    /// <summary>The chat template of both files (Jinja, ChatML with the BOS token).</summary>
    public const string ChatTemplate =
        "{{ bos_token }}{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /// <summary>Token string → id of a vocabulary style.</summary>
    public static Dictionary<string, int> Vocabulary(TinyLlamaTokenizer tokenizer = TinyLlamaTokenizer.ByteLevelBpe) => new TinyLlamaVocabulary(tokenizer).Ids;

    /// <summary>Writes the GGUF file.</summary>
    public static void WriteGguf(string path, TinyLlamaShape? shape = null, int seed = 7, TinyLlamaTokenizer tokenizer = TinyLlamaTokenizer.ByteLevelBpe)
    {
        shape ??= new TinyLlamaShape();
        var vocabulary = new TinyLlamaVocabulary(tokenizer);
        var weights = Weights(shape, vocabulary, seed);
        var d = shape.Hidden;
        var kv = shape.KvHeads * shape.HeadDim;
        var gguf = new GgufWriter();
        gguf
            .Add("general.architecture", "llama")
            .Add("general.name", "tiny-llama")
            .Add("general.alignment", 32u)
            .Add("llama.context_length", (uint)shape.Context)
            .Add("llama.embedding_length", (uint)d)
            .Add("llama.block_count", (uint)shape.Layers)
            .Add("llama.feed_forward_length", (uint)shape.FeedForward)
            .Add("llama.attention.head_count", (uint)shape.Heads)
            .Add("llama.attention.head_count_kv", (uint)shape.KvHeads)
            .Add("llama.attention.layer_norm_rms_epsilon", shape.NormEpsilon)
            .Add("llama.rope.freq_base", shape.RopeBase)
            .Add("llama.rope.dimension_count", (uint)shape.HeadDim)
            .Add("llama.vocab_size", (uint)vocabulary.Count)
            .Add("tokenizer.ggml.tokens", vocabulary.Tokens)
            .Add("tokenizer.ggml.token_type", vocabulary.Types)
            .Add("tokenizer.ggml.bos_token_id", (uint)vocabulary.Ids[vocabulary.Bos])
            .Add("tokenizer.ggml.eos_token_id", (uint)vocabulary.Ids[vocabulary.Eos])
            .Add("tokenizer.ggml.eot_token_id", (uint)vocabulary.Ids[vocabulary.ImEnd])
            .Add("tokenizer.ggml.add_bos_token", true)
            .Add("tokenizer.ggml.add_eos_token", false)
            .Add("tokenizer.chat_template", ChatTemplate);
        if (tokenizer == TinyLlamaTokenizer.ByteLevelBpe)
        {
            gguf.Add("tokenizer.ggml.model", "gpt2")
                .Add("tokenizer.ggml.pre", "gpt-2")
                .Add("tokenizer.ggml.merges", vocabulary.GgufMerges);
        }
        else
        {
            gguf.Add("tokenizer.ggml.model", "llama")
                .Add("tokenizer.ggml.scores", vocabulary.Scores)
                .Add("tokenizer.ggml.unknown_token_id", (uint)vocabulary.Ids[vocabulary.Unk!])
                .Add("tokenizer.ggml.add_space_prefix", true);
        }

        gguf.Tensor("token_embd.weight", [d, vocabulary.Count], weights.Embedding);
        for (var l = 0; l < shape.Layers; l++)
        {
            var layer = weights.Layers[l];
            gguf.Tensor($"blk.{l}.attn_norm.weight", [d], layer.AttentionNorm)
                .Tensor($"blk.{l}.attn_q.weight", [d, d], layer.Query)
                .Tensor($"blk.{l}.attn_k.weight", [d, kv], layer.Key)
                .Tensor($"blk.{l}.attn_v.weight", [d, kv], layer.Value)
                .Tensor($"blk.{l}.attn_output.weight", [d, d], layer.AttentionOutput)
                .Tensor($"blk.{l}.ffn_norm.weight", [d], layer.FeedForwardNorm)
                .Tensor($"blk.{l}.ffn_gate.weight", [d, shape.FeedForward], layer.Gate)
                .Tensor($"blk.{l}.ffn_up.weight", [d, shape.FeedForward], layer.Up)
                .Tensor($"blk.{l}.ffn_down.weight", [shape.FeedForward, d], layer.Down);
        }

        gguf.Tensor("output_norm.weight", [d], weights.OutputNorm)
            .Tensor("output.weight", [d, vocabulary.Count], weights.Output);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        gguf.WriteFile(path);
    }

    /// <summary>
    /// Writes the ONNX model folder (the Optimum layout) into <paramref name="directory"/>. With <paramref name="merged"/>,
    /// the model is <c>decoder_model_merged.onnx</c> as Optimum's merged export: an extra <c>use_cache_branch</c> input
    /// picks between the past key values (true) and none (false, the first step), through an <c>If</c> node.
    /// </summary>
    public static void WriteOnnx(string directory, TinyLlamaShape? shape = null, int seed = 7, TinyLlamaTokenizer tokenizer = TinyLlamaTokenizer.ByteLevelBpe, bool merged = false)
    {
        shape ??= new TinyLlamaShape();
        Directory.CreateDirectory(directory);
        var vocabulary = new TinyLlamaVocabulary(tokenizer);
        var weights = Weights(shape, vocabulary, seed);
        var model = BuildGraph(shape, vocabulary.Count, weights, merged);
        var file = merged ? "decoder_model_merged.onnx" : "model.onnx";
        var temp = Path.Combine(directory, file + ".tmp");
        OnnxModelWriter.WriteFile(model, temp);
        File.Move(temp, Path.Combine(directory, file), overwrite: true);

        WriteJson(Path.Combine(directory, "tokenizer.json"), w => WriteTokenizerJson(w, vocabulary));
        WriteJson(Path.Combine(directory, "tokenizer_config.json"), w =>
        {
            w.WriteBoolean("add_bos_token", true);
            w.WriteBoolean("add_eos_token", false);
            w.WriteString("bos_token", vocabulary.Bos);
            w.WriteString("eos_token", vocabulary.Eos);
            w.WriteString("chat_template", ChatTemplate);
            w.WriteString("tokenizer_class", "PreTrainedTokenizerFast");
        });
        WriteJson(Path.Combine(directory, "config.json"), w =>
        {
            w.WriteString("model_type", "llama");
            w.WriteStartArray("architectures");
            w.WriteStringValue("LlamaForCausalLM");
            w.WriteEndArray();
            w.WriteNumber("vocab_size", vocabulary.Count);
            w.WriteNumber("hidden_size", shape.Hidden);
            w.WriteNumber("intermediate_size", shape.FeedForward);
            w.WriteNumber("num_hidden_layers", shape.Layers);
            w.WriteNumber("num_attention_heads", shape.Heads);
            w.WriteNumber("num_key_value_heads", shape.KvHeads);
            w.WriteNumber("head_dim", shape.HeadDim);
            w.WriteNumber("max_position_embeddings", shape.Context);
            w.WriteNumber("rms_norm_eps", shape.NormEpsilon);
            w.WriteNumber("rope_theta", shape.RopeBase);
            w.WriteNumber("bos_token_id", vocabulary.Ids[vocabulary.Bos]);
            w.WriteNumber("eos_token_id", vocabulary.Ids[vocabulary.Eos]);
            w.WriteBoolean("tie_word_embeddings", false);
            w.WriteString("torch_dtype", "float32");
        });
        WriteJson(Path.Combine(directory, "generation_config.json"), w =>
        {
            w.WriteNumber("bos_token_id", vocabulary.Ids[vocabulary.Bos]);
            w.WriteStartArray("eos_token_id");
            w.WriteNumberValue(vocabulary.Ids[vocabulary.Eos]);
            w.WriteNumberValue(vocabulary.Ids[vocabulary.ImEnd]);
            w.WriteEndArray();
        });
    }

    private static TinyLlamaWeights Weights(TinyLlamaShape shape, TinyLlamaVocabulary vocabulary, int seed)
    {
        var silent = new List<int>();
        foreach (var special in vocabulary.Specials)
        {
            silent.Add(vocabulary.Ids[special]);
        }

        return new TinyLlamaWeights(shape, vocabulary.Count, seed, silent);
    }

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

    private static void WriteTokenizerJson(Utf8JsonWriter w, TinyLlamaVocabulary vocabulary)
    {
        var sentencePiece = vocabulary.Kind == TinyLlamaTokenizer.SentencePiece;
        w.WriteString("version", "1.0");
        w.WriteStartArray("added_tokens");
        foreach (var special in vocabulary.Specials)
        {
            w.WriteStartObject();
            w.WriteNumber("id", vocabulary.Ids[special]);
            w.WriteString("content", special);
            w.WriteBoolean("special", true);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (sentencePiece)
        {
            // The Llama 2 / TinyLlama layout: spaces become '▁' and a '▁' is prepended, in the normalizer; no pre-tokenizer.
            w.WriteStartObject("normalizer");
            w.WriteString("type", "Sequence");
            w.WriteStartArray("normalizers");
            w.WriteStartObject();
            w.WriteString("type", "Prepend");
            w.WriteString("prepend", "\u2581");
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("type", "Replace");
            w.WriteStartObject("pattern");
            w.WriteString("String", " ");
            w.WriteEndObject();
            w.WriteString("content", "\u2581");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteNull("pre_tokenizer");
        }
        else
        {
            w.WriteNull("normalizer");
            w.WriteStartObject("pre_tokenizer");
            w.WriteString("type", "ByteLevel");
            w.WriteBoolean("add_prefix_space", false);
            w.WriteBoolean("use_regex", true);
            w.WriteEndObject();
            w.WriteStartObject("decoder");
            w.WriteString("type", "ByteLevel");
            w.WriteEndObject();
        }

        w.WriteStartObject("model");
        w.WriteString("type", "BPE");
        w.WriteBoolean("byte_fallback", sentencePiece);
        if (vocabulary.Unk is { } unk)
        {
            w.WriteString("unk_token", unk);
            w.WriteBoolean("fuse_unk", true);
        }

        w.WriteStartObject("vocab");
        for (var id = 0; id < vocabulary.Count; id++)
        {
            if (Array.IndexOf(vocabulary.Specials, vocabulary.Tokens[id]) < 0 || vocabulary.Tokens[id] == vocabulary.Unk)
            {
                w.WriteNumber(vocabulary.Tokens[id], id);
            }
        }

        w.WriteEndObject();
        w.WriteStartArray("merges");
        foreach (var merge in vocabulary.HfMerges)
        {
            w.WriteStringValue(merge);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteJson(string path, Action<Utf8JsonWriter> body)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        body(writer);
        writer.WriteEndObject();
    }
}
