using System.Globalization;
using System.Text;
using System.Text.Json;

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

    // ---- lexing: text, {{ expr }}, {% stmt %}, {# comment #} with whitespace control ----

    private sealed record Segment(char Kind, string Content); // 'T' text, 'E' expression, 'S' statement

    private static List<Segment> Lex(string source)
    {
        var segments = new List<Segment>();
        var text = new StringBuilder();
        var i = 0;
        while (i < source.Length)
        {
            var open = source.IndexOf('{', i);
            while (open >= 0 && open + 1 < source.Length && source[open + 1] is not ('{' or '%' or '#'))
            {
                open = source.IndexOf('{', open + 1);
            }

            if (open < 0 || open + 1 >= source.Length)
            {
                text.Append(source, i, source.Length - i);
                break;
            }

            text.Append(source, i, open - i);
            var kind = source[open + 1];
            var start = open + 2;
            var trimLeft = start < source.Length && source[start] == '-';
            if (trimLeft || (start < source.Length && source[start] == '+'))
            {
                start++;
            }

            var close = kind switch { '{' => "}}", '%' => "%}", _ => "#}" };
            var end = FindClose(source, start, close, kind != '#');
            if (end < 0)
            {
                throw new TemplateException($"'{source[open..(open + 2)]}' at character {open} is never closed with '{close}'");
            }

            var trimRight = end > start && source[end - 1] == '-';
            var content = source[start..(trimRight ? end - 1 : end)].Trim();
            var block = kind != '{';
            var pending = text.ToString();
            text.Clear();
            if (trimLeft)
            {
                pending = pending.TrimEnd();
            }
            else if (block && source[open + 2] != '+')
            {
                // lstrip_blocks: spaces and tabs from the start of the line to a block tag.
                var lineStart = pending.LastIndexOf('\n') + 1;
                if (pending.AsSpan(lineStart).Trim(" \t").IsEmpty && (lineStart > 0 || IsLineStart(source, open - pending.Length)))
                {
                    pending = pending[..lineStart];
                }
            }

            if (pending.Length > 0)
            {
                segments.Add(new Segment('T', pending));
            }

            if (kind != '#')
            {
                segments.Add(new Segment(kind == '{' ? 'E' : 'S', content));
            }

            i = end + 2;
            if (trimRight)
            {
                while (i < source.Length && char.IsWhiteSpace(source[i]))
                {
                    i++;
                }
            }
            else if (block && i < source.Length && source[i] == '\n')
            {
                i++; // trim_blocks: the first newline after a block tag
            }
        }

        if (text.Length > 0)
        {
            segments.Add(new Segment('T', text.ToString()));
        }

        return segments;
    }

    // Whether the text before a tag starts at a line start of the source (so lstrip_blocks applies to it).
    private static bool IsLineStart(string source, int textStart) =>
        textStart <= 0 || source[textStart - 1] == '\n';

    private static int FindClose(string source, int from, string close, bool quotes)
    {
        char quote = '\0';
        for (var i = from; i < source.Length - 1; i++)
        {
            var c = source[i];
            if (quote != '\0')
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }

                continue;
            }

            if (quotes && c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == close[0] && source[i + 1] == close[1])
            {
                return i;
            }
        }

        return -1;
    }

    // ---- statements ----

    private static Node ParseBlock(List<Segment> segments, ref int position, out string? end, params string[] terminators)
    {
        var nodes = new List<Node>();
        end = null;
        while (position < segments.Count)
        {
            var segment = segments[position++];
            switch (segment.Kind)
            {
                case 'T':
                    var text = segment.Content;
                    nodes.Add((_, output) => { output.Append(text); return Flow.Normal; });
                    break;
                case 'E':
                    var expression = new ExpressionParser(segment.Content).ParseAll();
                    nodes.Add((scope, output) => { output.Append(Display(expression(scope))); return Flow.Normal; });
                    break;
                default:
                    var keyword = FirstWord(segment.Content);
                    if (Array.IndexOf(terminators, keyword) >= 0)
                    {
                        end = segment.Content;
                        return Sequence(nodes);
                    }

                    nodes.Add(ParseStatement(segment.Content, keyword, segments, ref position));
                    break;
            }
        }

        if (terminators.Length > 0)
        {
            throw new TemplateException($"a block is never closed (expected {{% {terminators[^1]} %}})");
        }

        return Sequence(nodes);
    }

    private static Node ParseStatement(string content, string keyword, List<Segment> segments, ref int position)
    {
        var rest = content[keyword.Length..].Trim();
        switch (keyword)
        {
            case "if":
                return ParseIf(rest, segments, ref position);
            case "for":
                return ParseFor(rest, segments, ref position);
            case "set":
                return ParseSet(rest);
            case "break":
                return (_, _) => Flow.Break;
            case "continue":
                return (_, _) => Flow.Continue;
            case "generation" or "endgeneration":
                return (_, _) => Flow.Normal;
            default:
                throw new TemplateException($"{{% {keyword} %}} is not supported (supported: for, if/elif/else, set, break, continue)");
        }
    }

    private static Node ParseIf(string condition, List<Segment> segments, ref int position)
    {
        var branches = new List<(Func<JinjaScope, object?>? Condition, Node Body)>();
        var current = new ExpressionParser(condition).ParseAll();
        while (true)
        {
            var body = ParseBlock(segments, ref position, out var end, "elif", "else", "endif");
            branches.Add((current, body));
            var word = FirstWord(end!);
            if (word == "endif")
            {
                break;
            }

            current = word == "elif" ? new ExpressionParser(end![4..].Trim()).ParseAll() : null;
            if (word == "else")
            {
                branches.Add((null, ParseBlock(segments, ref position, out _, "endif")));
                break;
            }
        }

        return (scope, output) =>
        {
            foreach (var (test, body) in branches)
            {
                if (test is null || Truthy(test(scope)))
                {
                    return body(scope, output);
                }
            }

            return Flow.Normal;
        };
    }

    private static Node ParseFor(string header, List<Segment> segments, ref int position)
    {
        var inAt = FindKeyword(header, "in");
        if (inAt < 0)
        {
            throw new TemplateException($"{{% for {header} %}} has no 'in'");
        }

        var targets = header[..inAt].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var iterable = new ExpressionParser(header[(inAt + 2)..].Trim()).ParseAll();
        var body = ParseBlock(segments, ref position, out var end, "else", "endfor");
        var otherwise = FirstWord(end!) == "else" ? ParseBlock(segments, ref position, out _, "endfor") : null;
        return (scope, output) =>
        {
            var items = Items(iterable(scope));
            if (items.Count == 0)
            {
                return otherwise?.Invoke(scope, output) ?? Flow.Normal;
            }

            var inner = new JinjaScope(scope);
            for (var i = 0; i < items.Count; i++)
            {
                if (targets.Length == 1)
                {
                    inner.Set(targets[0], items[i]);
                }
                else
                {
                    var parts = Items(items[i]);
                    for (var t = 0; t < targets.Length; t++)
                    {
                        inner.Set(targets[t], t < parts.Count ? parts[t] : JinjaUndefined.Value);
                    }
                }

                inner.Set("loop", new Dictionary<string, object?>
                {
                    ["index"] = (long)i + 1,
                    ["index0"] = (long)i,
                    ["revindex"] = (long)(items.Count - i),
                    ["revindex0"] = (long)(items.Count - i - 1),
                    ["first"] = i == 0,
                    ["last"] = i == items.Count - 1,
                    ["length"] = (long)items.Count,
                    ["previtem"] = i > 0 ? items[i - 1] : JinjaUndefined.Value,
                    ["nextitem"] = i < items.Count - 1 ? items[i + 1] : JinjaUndefined.Value,
                });
                if (body(inner, output) == Flow.Break)
                {
                    break;
                }
            }

            return Flow.Normal;
        };
    }

    private static Node ParseSet(string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            throw new TemplateException($"{{% set {assignment} %}} without '=' (block set) is not supported");
        }

        var target = assignment[..equals].Trim();
        var value = new ExpressionParser(assignment[(equals + 1)..].Trim()).ParseAll();
        var dot = target.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var owner = target[..dot];
            var attribute = target[(dot + 1)..];
            return (scope, _) =>
            {
                if (scope.Get(owner) is not Dictionary<string, object?> ns)
                {
                    throw new TemplateException($"set {target}: '{owner}' is not a namespace");
                }

                ns[attribute] = value(scope);
                return Flow.Normal;
            };
        }

        return (scope, _) => { scope.Set(target, value(scope)); return Flow.Normal; };
    }

    private static Node Sequence(List<Node> nodes)
    {
        var array = nodes.ToArray();
        return (scope, output) =>
        {
            foreach (var node in array)
            {
                var flow = node(scope, output);
                if (flow != Flow.Normal)
                {
                    return flow;
                }
            }

            return Flow.Normal;
        };
    }

    private static string FirstWord(string content)
    {
        var end = 0;
        while (end < content.Length && (char.IsLetterOrDigit(content[end]) || content[end] == '_'))
        {
            end++;
        }

        return content[..end];
    }

    // The index of a keyword standing alone (not inside a string or a longer name).
    private static int FindKeyword(string text, string keyword)
    {
        char quote = '\0';
        for (var i = 0; i + keyword.Length <= text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
                continue;
            }

            if (c is '\'' or '"')
            {
                quote = c;
                continue;
            }

            if (string.CompareOrdinal(text, i, keyword, 0, keyword.Length) == 0
                && (i == 0 || !IsName(text[i - 1])) && (i + keyword.Length == text.Length || !IsName(text[i + keyword.Length])))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsName(char c) => char.IsLetterOrDigit(c) || c == '_';

    // ---- values ----

    internal static bool Truthy(object? value) => value switch
    {
        null or JinjaUndefined => false,
        bool b => b,
        string s => s.Length > 0,
        long l => l != 0,
        double d => d != 0,
        System.Collections.ICollection c => c.Count > 0,
        _ => true,
    };

    internal static string Display(object? value) => value switch
    {
        null => "None",
        JinjaUndefined => "",
        string s => s,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => ToJson(value),
    };

    internal static List<object?> Items(object? value) => value switch
    {
        null or JinjaUndefined => [],
        string s => [.. s.Select(c => (object?)c.ToString())],
        IDictionary<string, object?> d => [.. d.Keys],
        System.Collections.IEnumerable e => [.. e.Cast<object?>()],
        _ => throw new TemplateException($"cannot iterate over {TypeName(value)}"),
    };

    internal static string TypeName(object? value) => value switch
    {
        null => "none",
        JinjaUndefined => "undefined",
        string => "a string",
        long or double => "a number",
        bool => "a boolean",
        IDictionary<string, object?> => "a mapping",
        _ => "a list",
    };

    internal static string ToJson(object? value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteJson(writer, value);
        }

        // Python's json.dumps separators: ", " and ": ".
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteJson(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null or JinjaUndefined:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case IDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    WriteJson(writer, item);
                }

                writer.WriteEndObject();
                break;
            case System.Collections.IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteJson(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }
}
