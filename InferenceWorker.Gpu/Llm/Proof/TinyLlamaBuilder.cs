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
public static partial class TinyLlamaBuilder
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

    private static void WriteJson(string path, Action<Utf8JsonWriter> body)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        body(writer);
        writer.WriteEndObject();
    }
}
