namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// The prompt of a request as the model's token ids: token ids as given (each inside the vocabulary), the prompt text,
/// or the chat messages rendered through the model's template; <c>reread</c> re-states the question first.
/// </summary>
internal static class CompletionPrompt
{
    public static int[] Tokenize(LocalLlm model, CompletionRequest request, bool chat)
    {
        if (request.PromptTokens is { } ids)
        {
            var vocab = model.Engine.Decoder.VocabSize;
            foreach (var token in ids)
            {
                if ((uint)token >= (uint)vocab)
                {
                    throw Bad(ProblemTitles.InvalidPrompt, $"Token id {token} is outside model '{model.Name}''s vocabulary of {vocab}.");
                }
            }

            return ids;
        }

        var reread = request.Strategy == CompletionStrategy.Reread;
        string text;
        if (chat)
        {
            var messages = request.Messages!;
            if (messages.All(m => m.Content.Length == 0))
            {
                throw Bad(ProblemTitles.EmptyPrompt, "Every message's content is empty; send some text.");
            }

            text = ChatPrompt.Render(reread ? ChatPrompt.Reread(messages) : messages, model.Tokenizer, model.Template);
        }
        else
        {
            text = request.Prompt ?? "";
            if (text.Length == 0)
            {
                throw Bad(ProblemTitles.EmptyPrompt, "prompt is empty; send the text to complete.");
            }

            text = reread ? Strategy.Reread(text) : text;
        }

        var tokens = model.Tokenizer.EncodePrompt(text);
        return tokens.Length > 0 ? tokens : throw Bad(ProblemTitles.EmptyPrompt, "The prompt encodes to no tokens; send some text.");
    }

    private static LlmRequestException Bad(string title, string detail) => new(StatusCodes.Status400BadRequest, title, detail);
}
