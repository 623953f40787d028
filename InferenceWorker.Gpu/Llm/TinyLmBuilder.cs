using System.Text.Json;
using BenchPlatform.InferenceWorker.Onnx;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// Writes a small decoder-only language model folder with seeded random weights, in the layout the
/// Optimum and ONNX Runtime GenAI exporters produce (<c>model.onnx</c> with <c>past_key_values.{i}.key/value</c>
/// inputs and <c>present.{i}.key/value</c> outputs, <c>tokenizer.json</c>, <c>config.json</c>,
/// <c>generation_config.json</c>), so tests and the quick start exercise the same loader as a real export.
/// </summary>
public static class TinyLmBuilder
{
    /// <summary>The special tokens of the tiny vocabulary, after the 256 byte tokens and the merges.</summary>
    public static readonly string[] SpecialTokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];

    // A handful of byte-level merges (GPT-2 spelling: 'Ġ' is a space) so the vocabulary is a real BPE.
    private static readonly string[] Merges =
    [
        "Ġ t", "h e", "i n", "r e", "o n", "Ġt he", "e r", "Ġ a", "a n", "Ġ s",
        "o r", "e n", "Ġ w", "a t", "e s", "Ġ o", "i s", "i t", "Ġ c", "n d",
    ];

    /// <summary>Writes the model folder into <paramref name="directory"/> (created when missing).</summary>
    public static void Write(string directory, TinyLmShape? shape = null, int seed = 1234)
    {
        shape ??= new TinyLmShape();
        Directory.CreateDirectory(directory);
        var vocabulary = Vocabulary();
        var vocabSize = vocabulary.Count;
        var eos = vocabulary[SpecialTokens[0]];
        var imEnd = vocabulary[SpecialTokens[2]];

        var model = BuildModel(shape, vocabSize, seed, firstSpecial: eos);
        var temp = Path.Combine(directory, "model.onnx.tmp");
        OnnxModelWriter.WriteFile(model, temp);
        File.Move(temp, Path.Combine(directory, "model.onnx"), overwrite: true);

        WriteJson(Path.Combine(directory, "tokenizer.json"), w => WriteTokenizerJson(w, vocabulary));
        WriteJson(Path.Combine(directory, "config.json"), w =>
        {
            w.WriteString("model_type", "tiny-lm");
            w.WriteStartArray("architectures");
            w.WriteStringValue("TinyLmForCausalLM");
            w.WriteEndArray();
            w.WriteNumber("vocab_size", vocabSize);
            w.WriteNumber("hidden_size", shape.Hidden);
            w.WriteNumber("num_hidden_layers", shape.Layers);
            w.WriteNumber("num_attention_heads", shape.Heads);
            w.WriteNumber("num_key_value_heads", shape.Heads);
            w.WriteNumber("head_dim", shape.Hidden / shape.Heads);
            w.WriteNumber("max_position_embeddings", shape.Context);
            w.WriteNumber("eos_token_id", eos);
            w.WriteString("torch_dtype", "float32");
        });
        WriteJson(Path.Combine(directory, "generation_config.json"), w =>
        {
            w.WriteStartArray("eos_token_id");
            w.WriteNumberValue(eos);
            w.WriteNumberValue(imEnd);
            w.WriteEndArray();
            w.WriteBoolean("do_sample", true);
            w.WriteNumber("temperature", 1.0);
        });
    }

    /// <summary>Token string → id: 256 byte tokens, the merges, then the special tokens.</summary>
    public static Dictionary<string, int> Vocabulary()
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var bytes = ByteToUnicode();
        for (var b = 0; b < 256; b++)
        {
            vocabulary[bytes[b].ToString()] = b;
        }

        foreach (var merge in Merges)
        {
            vocabulary[merge.Replace(" ", "", StringComparison.Ordinal)] = vocabulary.Count;
        }

        foreach (var special in SpecialTokens)
        {
            vocabulary[special] = vocabulary.Count;
        }

        return vocabulary;
    }

    /// <summary>GPT-2's byte → printable character table that byte-level BPE vocabularies are spelled in.</summary>
    public static char[] ByteToUnicode()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = printable ? (char)b : (char)next++;
        }

        return table;
    }

    private static void WriteTokenizerJson(Utf8JsonWriter w, Dictionary<string, int> vocabulary)
    {
        w.WriteString("version", "1.0");
        w.WriteStartArray("added_tokens");
        foreach (var special in SpecialTokens)
        {
            w.WriteStartObject();
            w.WriteNumber("id", vocabulary[special]);
            w.WriteString("content", special);
            w.WriteBoolean("special", true);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("pre_tokenizer");
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", false);
        w.WriteBoolean("use_regex", true);
        w.WriteEndObject();
        w.WriteStartObject("decoder");
        w.WriteString("type", "ByteLevel");
        w.WriteEndObject();
        w.WriteStartObject("model");
        w.WriteString("type", "BPE");
        w.WriteStartObject("vocab");
        foreach (var (token, id) in vocabulary)
        {
            if (Array.IndexOf(SpecialTokens, token) < 0)
            {
                w.WriteNumber(token, id);
            }
        }

        w.WriteEndObject();
        w.WriteStartArray("merges");
        foreach (var merge in Merges)
        {
            w.WriteStringValue(merge);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteJson(string path, Action<Utf8JsonWriter> body)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        body(writer);
        writer.WriteEndObject();
    }

    private static OnnxModel BuildModel(TinyLmShape s, int vocab, int seed, int firstSpecial)
    {
        var random = new Random(seed);
        var d = s.Hidden;
        var heads = s.Heads;
        var headDim = d / heads;
        var g = new OnnxGraphBuilder("tiny_lm");

        var ids = g.Input("input_ids", OnnxDataType.Int64, "batch_size", "sequence_length");
        var mask = g.Input("attention_mask", OnnxDataType.Int64, "batch_size", "total_sequence_length");
        var positions = g.Input("position_ids", OnnxDataType.Int64, "batch_size", "sequence_length");
        for (var i = 0; i < s.Layers; i++)
        {
            g.Input($"past_key_values.{i}.key", OnnxDataType.Float, "batch_size", heads, "past_sequence_length", headDim);
            g.Input($"past_key_values.{i}.value", OnnxDataType.Float, "batch_size", heads, "past_sequence_length", headDim);
        }

        var wte = g.Initializer("model.embed_tokens.weight", [vocab, d], RandomMatrix(random, vocab * d, 1f));
        var wpe = g.Initializer("model.embed_positions.weight", [s.Context, d], RandomMatrix(random, s.Context * d, 0.3f));
        var x = g.Op("Add", [g.Op("Gather", [wte, ids], OnnxAttribute.Int("axis", 0)), g.Op("Gather", [wpe, positions], OnnxAttribute.Int("axis", 0))]);

        // Attention bias [batch, 1, seq, total]: 0 where key t is visible to query s (t <= past + s and
        // attention_mask[t] == 1), a large negative number elsewhere.
        var zero = g.Initializer<long>("const_zero", [], [0]);
        var one = g.Initializer<long>("const_one", [], [1]);
        var seqLen = g.Op("Gather", [g.Op("Shape", [ids]), one], OnnxAttribute.Int("axis", 0));
        var totalLen = g.Op("Gather", [g.Op("Shape", [mask]), one], OnnxAttribute.Int("axis", 0));
        var pastLen = g.Op("Sub", [totalLen, seqLen]);
        var rows = g.Op("Add", [g.Op("Range", [zero, seqLen, one]), pastLen]);
        var cols = g.Op("Range", [zero, totalLen, one]);
        var causal = g.Op("LessOrEqual", [
            g.Op("Unsqueeze", [cols, g.Int64s("axes_0", 0)]),
            g.Op("Unsqueeze", [rows, g.Int64s("axes_1", 1)])]);
        var visible = g.Op("Unsqueeze", [g.Op("Cast", [mask], OnnxAttribute.Int("to", (long)OnnxDataType.Bool)), g.Int64s("axes_12", 1, 2)]);
        var bias = g.Op("Where", [
            g.Op("And", [causal, visible]),
            g.Initializer<float>("const_f0", [], [0f]),
            g.Initializer<float>("const_neg", [], [-1e9f])]);

        var splitHeads = g.Int64s("shape_heads", 0, 0, heads, headDim);
        var mergeHeads = g.Int64s("shape_merge", 0, 0, d);
        var scale = g.Initializer<float>("const_scale", [], [1f / MathF.Sqrt(headDim)]);
        for (var i = 0; i < s.Layers; i++)
        {
            var p = $"model.layers.{i}";
            var h = LayerNorm(g, random, x, d, $"{p}.input_layernorm");
            string Project(string name) =>
                g.Op("Transpose", [g.Op("Reshape", [g.Op("MatMul", [h, Weight(g, random, $"{p}.self_attn.{name}.weight", d, d)]), splitHeads])],
                    OnnxAttribute.Ints("perm", 0, 2, 1, 3));
            var q = Project("q_proj");
            var k = g.OpTo($"present.{i}.key", "Concat", [$"past_key_values.{i}.key", Project("k_proj")], OnnxAttribute.Int("axis", 2));
            var v = g.OpTo($"present.{i}.value", "Concat", [$"past_key_values.{i}.value", Project("v_proj")], OnnxAttribute.Int("axis", 2));
            var scores = g.Op("Add", [g.Op("Mul", [g.Op("MatMul", [q, g.Op("Transpose", [k], OnnxAttribute.Ints("perm", 0, 1, 3, 2))]), scale]), bias]);
            var probabilities = g.Op("Softmax", [scores], OnnxAttribute.Int("axis", -1));
            var attended = g.Op("Reshape", [g.Op("Transpose", [g.Op("MatMul", [probabilities, v])], OnnxAttribute.Ints("perm", 0, 2, 1, 3)), mergeHeads]);
            x = g.Op("Add", [x, g.Op("MatMul", [attended, Weight(g, random, $"{p}.self_attn.o_proj.weight", d, d)])]);

            var h2 = LayerNorm(g, random, x, d, $"{p}.post_attention_layernorm");
            var up = g.Op("MatMul", [h2, Weight(g, random, $"{p}.mlp.up_proj.weight", d, 4 * d)]);
            var silu = g.Op("Mul", [up, g.Op("Sigmoid", [up])]);
            x = g.Op("Add", [x, g.Op("MatMul", [silu, Weight(g, random, $"{p}.mlp.down_proj.weight", 4 * d, d)])]);
        }

        var final = LayerNorm(g, random, x, d, "model.norm");
        // The special tokens get a large negative output bias: seeded random weights would otherwise end
        // generations at random; eos still ends them when a real model (or a configured eos id) produces it.
        var lmBias = new float[vocab];
        for (var t = firstSpecial; t < vocab; t++)
        {
            lmBias[t] = -30f;
        }

        g.OpTo("logits", "Add", [
            g.Op("MatMul", [final, g.Initializer("lm_head.weight", [d, vocab], RandomMatrix(random, d * vocab, 4f / MathF.Sqrt(d)))]),
            g.Initializer("lm_head.bias", [vocab], lmBias)]);
        g.Output("logits", OnnxDataType.Float, "batch_size", "sequence_length", vocab);
        for (var i = 0; i < s.Layers; i++)
        {
            g.Output($"present.{i}.key", OnnxDataType.Float, "batch_size", heads, "total_sequence_length", headDim);
            g.Output($"present.{i}.value", OnnxDataType.Float, "batch_size", heads, "total_sequence_length", headDim);
        }

        return g.BuildModel() with
        {
            DocString = "BenchPlatform tiny LM: seeded random weights, byte-level BPE vocabulary.",
            Metadata = new Dictionary<string, string> { ["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
    }

    private static string LayerNorm(OnnxGraphBuilder g, Random random, string x, int d, string name)
    {
        var gamma = new float[d];
        for (var i = 0; i < d; i++)
        {
            gamma[i] = 1f + ((float)random.NextDouble() - 0.5f) * 0.1f;
        }

        return g.Op("LayerNormalization", [x, g.Initializer($"{name}.weight", [d], gamma), g.Initializer($"{name}.bias", [d], new float[d])],
            OnnxAttribute.Int("axis", -1), OnnxAttribute.Float("epsilon", 1e-5f));
    }

    private static string Weight(OnnxGraphBuilder g, Random random, string name, int rows, int cols) =>
        g.Initializer(name, [rows, cols], RandomMatrix(random, rows * cols, 1f / MathF.Sqrt(rows)));

    private static float[] RandomMatrix(Random random, int count, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            // Sum of uniforms: cheap, bounded, roughly normal with unit variance.
            values[i] = ((float)(random.NextDouble() + random.NextDouble() + random.NextDouble()) - 1.5f) * 2f * scale;
        }

        return values;
    }
}
