using System.Text.Json;

namespace BenchPlatform.InferenceWorker.Llm.Proof;

// tokenizer.json for each vocabulary style (byte-level BPE or SentencePiece-style).
public static partial class TinyLlamaBuilder
{
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
}
