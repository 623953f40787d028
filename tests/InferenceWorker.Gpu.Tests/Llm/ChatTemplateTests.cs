using BenchPlatform.InferenceWorker.Llm.Templates;
using BenchPlatform.Protocol.OpenAi;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>Real chat templates (as published in the models' tokenizer_config.json) render as transformers renders them.</summary>
public sealed class ChatTemplateTests
{
    private static readonly ChatMessage[] SystemAndUser = [new("system", "You are a friendly chatbot."), new("user", "How many legs has a cat?")];

    // TinyLlama-1.1B-Chat-v1.0 (Zephyr style; relies on trim_blocks and lstrip_blocks).
    private const string TinyLlama =
        "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n"
        + "{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n"
        + "{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n"
        + "{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";

    // Llama-2-chat: slicing, set, raise_exception, string methods.
    private const string Llama2 =
        "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}"
        + "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
        + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
        + "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
        + "{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
        + "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    // Llama-3-instruct: a filter inside concatenation, loop.index0, bos_token.
    private const string Llama3 =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}"
        + "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

    // Qwen2.5 style: whitespace control, namespace-free ChatML with a default system message.
    private const string Qwen =
        "{%- if messages[0]['role'] == 'system' %}\n    {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n"
        + "{%- else %}\n    {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}\n{%- endif %}\n"
        + "{%- for message in messages %}\n    {%- if (message.role == \"user\") or (message.role == \"system\" and not loop.first) or (message.role == \"assistant\") %}\n"
        + "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n    {%- endif %}\n{%- endfor %}\n"
        + "{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n{%- endif %}\n";

    [Fact]
    public void TinyLlama_SystemAndUser_RendersAsTransformers()
    {
        var text = ChatTemplate.Parse(TinyLlama, "<s>", "</s>", "test").Render(SystemAndUser);
        Assert.Equal("<|system|>\nYou are a friendly chatbot.</s>\n<|user|>\nHow many legs has a cat?</s>\n<|assistant|>\n", text);
    }

    [Fact]
    public void Llama2_SystemFoldedIntoFirstUserTurn_AndAlternationEnforced()
    {
        var template = ChatTemplate.Parse(Llama2, "<s>", "</s>", "test");
        Assert.Equal("<s>[INST] <<SYS>>\nYou are a friendly chatbot.\n<</SYS>>\n\nHow many legs has a cat? [/INST]", template.Render(SystemAndUser));
        Assert.Equal("<s>[INST] Hi [/INST] Hello </s><s>[INST] Bye [/INST]",
            template.Render([new("user", "Hi"), new("assistant", "Hello"), new("user", "Bye")]));
        var error = Assert.Throws<TemplateException>(() => template.Render([new("user", "a"), new("user", "b")]));
        Assert.Contains("Conversation roles must alternate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Llama3_FilterAndBos_RenderAsTransformers()
    {
        var text = ChatTemplate.Parse(Llama3, "<|begin_of_text|>", "<|eot_id|>", "test").Render([new("user", " Hi there ")]);
        Assert.Equal("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", text);
    }

    [Fact]
    public void Qwen_WhitespaceControlAndDefaultSystem_RenderAsTransformers()
    {
        var template = ChatTemplate.Parse(Qwen, null, "<|im_end|>", "test");
        Assert.Equal(
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
            template.Render([new("user", "Hi")]));
        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n",
            template.Render([new("system", "Be brief."), new("user", "Hi")], addGenerationPrompt: false));
    }

    [Fact]
    public void Expressions_NamespaceLoopAndFilters_Evaluate()
    {
        const string source =
            "{% set ns = namespace(found=false, n=0) %}{% for m in messages %}{% if m.role == 'system' %}{% set ns.found = true %}{% endif %}"
            + "{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.found }}|{{ ns.n }}|{{ messages | length }}|{{ messages[-1]['content'] | upper }}"
            + "|{{ 'x' if add_generation_prompt else 'y' }}|{{ messages | map(attribute='role') | join(',') }}|{{ undefined_name is defined }}"
            + "|{% for i in range(3) %}{{ loop.index }}{% if not loop.last %}-{% endif %}{% endfor %}|{{ 'abc'[::-1] }}|{{ 7 // 2 }}";
        var text = ChatTemplate.Parse(source, null, null, "test").Render(SystemAndUser);
        Assert.Equal("True|2|2|HOW MANY LEGS HAS A CAT?|x|system,user|False|1-2-3|cba|3", text);
    }

    [Theory]
    [InlineData("{% macro m() %}x{% endmacro %}", "macro")]
    [InlineData("{% for m in messages %}", "never closed")]
    [InlineData("{{ messages | wordwrap }}", "wordwrap")]
    public void Parse_Unsupported_ThrowsNamingIt(string source, string expected)
    {
        var error = Record.Exception(() => ChatTemplate.Parse(source, null, null, "tokenizer_config.json chat_template").Render(SystemAndUser));
        Assert.NotNull(error);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
