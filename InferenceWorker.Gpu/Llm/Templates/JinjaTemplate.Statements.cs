namespace BenchPlatform.InferenceWorker.Llm.Templates;

// Statements: blocks, if/elif/else, for (loop.*, else), set, break/continue, compiled to nodes.
internal sealed partial class JinjaTemplate
{
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
}
