using System.Text;

namespace BenchPlatform.InferenceWorker.Llm.Templates;

/// <summary>
/// The Jinja subset that Hugging Face chat templates use, compiled once to delegates: text, <c>{{ expr }}</c>,
/// <c>{% for %}</c> (with <c>loop.*</c>, tuple targets, <c>else</c>), <c>{% if/elif/else %}</c>, <c>{% set %}</c>
/// (names and namespace attributes), <c>break</c>/<c>continue</c>, comments, whitespace control (<c>-</c>) and the
/// environment transformers uses (<c>trim_blocks</c>, <c>lstrip_blocks</c>). Expressions: literals, lists, dicts,
/// attribute and index access, slices, <c>+ - * / // % ~</c>, comparisons, <c>in</c>, <c>and/or/not</c>, inline
/// <c>if … else</c>, tests (<c>is defined</c>, <c>none</c>, <c>string</c> …), common filters and string/dict methods,
/// <c>raise_exception</c>, <c>namespace</c>, <c>range</c>. Anything else fails at parse time, naming it.
/// </summary>
internal sealed partial class JinjaTemplate
{
    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    private delegate Flow Node(JinjaScope scope, StringBuilder output);

    private readonly Node _body;

    private JinjaTemplate(Node body) => _body = body;

    /// <summary>Parses <paramref name="source"/>; throws <see cref="TemplateException"/> naming what is not supported.</summary>
    public static JinjaTemplate Parse(string source)
    {
        var segments = Lex(source);
        var position = 0;
        var body = ParseBlock(segments, ref position, out var end);
        if (end is not null)
        {
            throw new TemplateException($"unexpected {{% {end} %}}");
        }

        return new JinjaTemplate(body);
    }

    /// <summary>Renders with <paramref name="variables"/> (values: string, long, double, bool, null, lists, string-keyed dictionaries).</summary>
    public string Render(IReadOnlyDictionary<string, object?> variables)
    {
        var scope = new JinjaScope(null);
        foreach (var (name, value) in variables)
        {
            scope.Set(name, value);
        }

        var output = new StringBuilder();
        _body(scope, output);
        return output.ToString();
    }
}
