namespace BenchPlatform.InferenceWorker.Llm.Templates;

/// <summary>
/// A model's chat template (Jinja, from <c>tokenizer_config.json</c> <c>chat_template</c> or the GGUF's
/// <c>tokenizer.chat_template</c>), parsed once at load and rendered per request with <c>messages</c>,
/// <c>add_generation_prompt</c>, <c>bos_token</c> and <c>eos_token</c>, as transformers' <c>apply_chat_template</c> does.
/// </summary>
internal sealed class ChatTemplate
{
    private readonly JinjaTemplate _template;
    private readonly string _bos;
    private readonly string _eos;

    private ChatTemplate(JinjaTemplate template, string bos, string eos)
    {
        _template = template;
        _bos = bos;
        _eos = eos;
    }

    /// <summary>Parses the template; throws <see cref="InvalidDataException"/> naming what is not supported and where it came from.</summary>
    public static ChatTemplate Parse(string source, string? bosToken, string? eosToken, string origin)
    {
        try
        {
            return new ChatTemplate(JinjaTemplate.Parse(source), bosToken ?? "", eosToken ?? "");
        }
        catch (TemplateException e)
        {
            throw new InvalidDataException($"The chat template ({origin}) cannot be parsed: {e.Message}. Fix or remove it; without one, chat messages are rendered as ChatML or 'role: content' lines.", e);
        }
    }

    /// <summary>Renders the conversation; throws <see cref="TemplateException"/> when the template fails (e.g. raises).</summary>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true)
    {
        var list = new List<object?>(messages.Count);
        foreach (var message in messages)
        {
            list.Add(new Dictionary<string, object?>(StringComparer.Ordinal) { ["role"] = message.Role, ["content"] = message.Content });
        }

        return _template.Render(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["messages"] = list,
            ["add_generation_prompt"] = addGenerationPrompt,
            ["bos_token"] = _bos,
            ["eos_token"] = _eos,
        });
    }
}
