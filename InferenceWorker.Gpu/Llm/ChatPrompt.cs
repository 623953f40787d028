using System.Text;
using BenchPlatform.InferenceWorker.Llm.Templates;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// Renders chat messages into one prompt: through the model's chat template when it has one; otherwise a model whose
/// tokenizer has ChatML markers (<c>&lt;|im_start|&gt;</c>, <c>&lt;|im_end|&gt;</c>: Qwen, the tiny LM) gets ChatML,
/// others a plain <c>role: content</c> transcript ending in <c>assistant:</c>.
/// </summary>
internal static class ChatPrompt
{
    public static string Render(IReadOnlyList<ChatMessage> messages, LlmTokenizer tokenizer, ChatTemplate? template = null)
    {
        if (template is not null)
        {
            try
            {
                return template.Render(messages);
            }
            catch (TemplateException e)
            {
                throw new LlmRequestException(StatusCodes.Status400BadRequest, ProblemTitles.ChatTemplateFailed,
                    $"The model's chat template could not render these messages: {e.Message}. Change the messages (roles, order) to what the template accepts, or use /v1/completions with a prompt.");
            }
        }

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
