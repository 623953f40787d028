using System.Text;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// Renders chat messages into one prompt. Jinja chat templates are not executed; a model whose tokenizer has
/// ChatML markers (<c>&lt;|im_start|&gt;</c>, <c>&lt;|im_end|&gt;</c>: Qwen, the tiny LM) gets ChatML, others a plain
/// <c>role: content</c> transcript ending in <c>assistant:</c>.
/// </summary>
internal static class ChatPrompt
{
    public static string Render(IReadOnlyList<ChatMessage> messages, LlmTokenizer tokenizer)
    {
        var builder = new StringBuilder();
        var chatMl = tokenizer.SpecialTokens.ContainsKey("<|im_start|>") && tokenizer.SpecialTokens.ContainsKey("<|im_end|>");
        foreach (var message in messages)
        {
            if (chatMl)
            {
                builder.Append("<|im_start|>").Append(message.Role).Append('\n').Append(message.Content).Append("<|im_end|>\n");
            }
            else
            {
                builder.Append(message.Role).Append(": ").Append(message.Content).Append('\n');
            }
        }

        builder.Append(chatMl ? "<|im_start|>assistant\n" : "assistant:");
        return builder.ToString();
    }

    /// <summary>The messages with the last user message re-stated (the <c>reread</c> strategy).</summary>
    public static IReadOnlyList<ChatMessage> Reread(IReadOnlyList<ChatMessage> messages)
    {
        var copy = new List<ChatMessage>(messages);
        for (var i = copy.Count - 1; i >= 0; i--)
        {
            if (copy[i].Role == "user")
            {
                copy[i] = copy[i] with { Content = Strategy.Reread(copy[i].Content) };
                break;
            }
        }

        return copy;
    }
}
