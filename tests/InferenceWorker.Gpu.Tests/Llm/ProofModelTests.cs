using BenchPlatform.InferenceWorker.Llm;
using BenchPlatform.InferenceWorker.Llm.Gguf;
using BenchPlatform.InferenceWorker.Llm.Proof;
using Xunit.Abstractions;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>
/// The proof by construction: one Llama written as GGUF and as an ONNX export gives the same greedy tokens, with
/// logits that agree closely, in llama.cpp and in ONNX Runtime, for prompts decoded together in one batch.
/// </summary>
public sealed class ProofModelTests(TinyLlamaFiles files, ITestOutputHelper output) : IClassFixture<TinyLlamaFiles>
{
    private static readonly string[] Prompts =
    [
        "Once upon a time",
        "The cat sat on the mat and",
        "hello world",
        "<|im_start|>user\nSay hello<|im_end|>\n<|im_start|>assistant\n",
        "Grüße,  数字 42 — ok!",
    ];

    [Theory]
    [InlineData(TinyLlamaTokenizer.ByteLevelBpe)]
    [InlineData(TinyLlamaTokenizer.SentencePiece)]
    public void Tokenizers_SamePrompts_GiveTheSameIdsInBothEngines(TinyLlamaTokenizer kind)
    {
        using var llama = LoadGguf(kind);
        var hf = LlmTokenizer.Load(files.Of(kind).Onnx);
        foreach (var prompt in Prompts)
        {
            Assert.Equal(hf.Encode(prompt), llama.Tokenizer.Encode(prompt));
            Assert.Equal(llama.Tokenizer.Decode(hf.Encode(prompt)), hf.Decode(hf.Encode(prompt)));
        }
    }

    [Fact]
    public void SentencePieceTokenizer_ByteFallbackAndSpacePrefix_AsLlama()
    {
        var tokenizer = LlmTokenizer.Load(files.SpmOnnx);
        var vocabulary = TinyLlamaBuilder.Vocabulary(TinyLlamaTokenizer.SentencePiece);
        var ids = tokenizer.Encode("the cat ü");
        // '▁the' and '▁cat' are merged tokens; 'ü' is not in the vocabulary: its two UTF-8 bytes.
        Assert.Equal([vocabulary["\u2581the"], vocabulary["\u2581cat"], vocabulary["\u2581"], vocabulary["<0xC3>"], vocabulary["<0xBC>"]], ids);
        Assert.Equal(" the cat ü", tokenizer.Decode(ids));
        // A special token is matched whole and the text after it gets its own '▁' prefix (as llama.cpp and transformers' legacy mode).
        Assert.Equal([vocabulary["<|im_start|>"], vocabulary["\u2581u"], vocabulary["s"], vocabulary["er"]], tokenizer.Encode("<|im_start|>user"));
    }

    [Fact]
    public void ByteLevelTokenizer_MergesAndSpecialTokens()
    {
        using var llama = LoadGguf();
        var hf = LlmTokenizer.Load(files.Onnx);

        // Merges are used (fewer ids than bytes) and the chat markers are single special tokens.
        Assert.True(hf.Encode("Once upon a time").Length < "Once upon a time".Length);
        Assert.Equal(TinyLlamaBuilder.Vocabulary()["<|im_start|>"], hf.Encode("<|im_start|>")[0]);
        Assert.Equal("The cat sat on the mat", llama.Tokenizer.Decode(llama.Tokenizer.Encode("The cat sat on the mat")));
    }

    [Theory]
    [InlineData(TinyLlamaTokenizer.ByteLevelBpe)]
    [InlineData(TinyLlamaTokenizer.SentencePiece)]
    public void GreedyDecoding_BothEngines_SameTokensAndCloseLogits(TinyLlamaTokenizer kind)
    {
        using var llama = LoadGguf(kind);
        using var onnx = new DecoderSession(Path.Combine(files.Of(kind).Onnx, "model.onnx"), 1);
        Assert.Equal(onnx.VocabSize, llama.VocabSize);
        var tokenizer = LlmTokenizer.Load(files.Of(kind).Onnx);
        var prompts = Prompts.Select(tokenizer.Encode).ToArray();

        var (llamaTokens, llamaLogits) = Greedy(llama, prompts, 16);
        var (onnxTokens, onnxLogits) = Greedy(onnx, prompts, 16);

        for (var p = 0; p < prompts.Length; p++)
        {
            Assert.Equal(onnxTokens[p], llamaTokens[p]);
            // Not a degenerate model: greedy output varies.
            Assert.True(onnxTokens[p].Distinct().Count() > 3, $"prompt {p} repeats one token: {string.Join(",", onnxTokens[p])}");
        }

        var worst = 0f;
        var scale = 0f;
        for (var i = 0; i < onnxLogits.Count; i++)
        {
            for (var v = 0; v < onnxLogits[i].Length; v++)
            {
                worst = Math.Max(worst, Math.Abs(onnxLogits[i][v] - llamaLogits[i][v]));
                scale = Math.Max(scale, Math.Abs(onnxLogits[i][v]));
            }
        }

        output.WriteLine($"largest |logit| {scale}, largest difference {worst}; prompt 0 greedy: {string.Join(",", onnxTokens[0])}");
        Assert.True(scale > 1f, $"logits are all near zero (max {scale})");
        Assert.True(worst < 1e-4f, $"logits differ by up to {worst} (largest logit {scale})");
    }

    [Fact]
    public void MergedDecoder_UseCacheBranchSupplied_SameTokensAsModelOnnx()
    {
        var merged = Path.Combine(files.Root, "onnx-merged");
        TinyLlamaBuilder.WriteOnnx(merged, merged: true);
        Assert.False(File.Exists(Path.Combine(merged, "model.onnx")));
        using var plain = new DecoderSession(Path.Combine(files.Onnx, "model.onnx"), 1);
        using var withBranch = new DecoderSession(Path.Combine(merged, "decoder_model_merged.onnx"), 1);
        var prompts = Prompts.Select(LlmTokenizer.Load(files.Onnx).Encode).ToArray();

        // Decode steps only see the prompt through the past: a wrong use_cache_branch (false) would drop it.
        var (expected, expectedLogits) = Greedy(plain, prompts, 12);
        var (actual, actualLogits) = Greedy(withBranch, prompts, 12);
        for (var p = 0; p < prompts.Length; p++)
        {
            Assert.Equal(expected[p], actual[p]);
        }

        for (var i = 0; i < expectedLogits.Count; i++)
        {
            Assert.Equal(expectedLogits[i], actualLogits[i]);
        }
    }

    [Fact]
    public void LlamaDecoder_SequencesJoiningAndLeaving_EachEqualsItsRunAlone()
    {
        using var llama = LoadGguf();
        var tokenizer = llama.Tokenizer;
        var prompts = Prompts.Select(tokenizer.Encode).ToArray();
        var alone = prompts.Select(p => Greedy(llama, [p], 8).Tokens[0]).ToArray();

        // Prompt 0 decodes alone for three steps, then prompts 1 and 2 join; prompt 0 leaves after its 8th token.
        var together = Greedy(llama, prompts[..3], 8, joinAt: [0, 3, 3]).Tokens;
        for (var p = 0; p < 3; p++)
        {
            Assert.Equal(alone[p], together[p]);
        }
    }

    private LlamaDecoder LoadGguf(TinyLlamaTokenizer kind = TinyLlamaTokenizer.ByteLevelBpe)
    {
        var path = files.Of(kind).Gguf;
        return LlamaDecoder.Load(path, GgufHeader.Read(path), sequences: 8, kvTokens: 2048, threads: 1);
    }

    // Greedy decoding of every prompt in one batch (rows joining at joinAt[p] steps); per step and prompt the logits.
    private static (List<int>[] Tokens, List<float[]> Logits) Greedy(IBatchDecoder decoder, int[][] prompts, int steps, int[]? joinAt = null)
    {
        var vocab = decoder.VocabSize;
        var tokens = prompts.Select(p => { var t = new int[p.Length + steps]; p.CopyTo(t, 0); return t; }).ToArray();
        var lengths = prompts.Select(p => p.Length).ToArray();
        var caches = prompts.Select(p => decoder.CreateCache(p.Length + steps)).ToArray();
        var generated = prompts.Select(_ => new List<int>()).ToArray();
        var logits = new List<float[]>();
        try
        {
            for (var step = 0; generated.Any(g => g.Count < steps); step++)
            {
                var active = Enumerable.Range(0, prompts.Length)
                    .Where(p => (joinAt?[p] ?? 0) <= step && generated[p].Count < steps).ToArray();
                var rows = active.Select(p => caches[p].Length == 0
                    ? new StepRow(caches[p], tokens[p], 0, lengths[p])
                    : new StepRow(caches[p], tokens[p], lengths[p] - 1, 1)).ToArray();
                var output = new float[active.Length * vocab];
                decoder.Step(rows, output);
                for (var r = 0; r < active.Length; r++)
                {
                    var p = active[r];
                    var row = output.AsSpan(r * vocab, vocab);
                    logits.Add(row.ToArray());
                    var next = 0;
                    for (var v = 1; v < vocab; v++)
                    {
                        next = row[v] > row[next] ? v : next;
                    }

                    tokens[p][lengths[p]++] = next;
                    generated[p].Add(next);
                    if (generated[p].Count == steps)
                    {
                        caches[p].Dispose();
                    }
                }
            }
        }
        finally
        {
            foreach (var cache in caches)
            {
                cache.Dispose();
            }
        }

        return (generated, logits);
    }
}
