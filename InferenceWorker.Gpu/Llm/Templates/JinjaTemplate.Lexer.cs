using System.Text;

namespace BenchPlatform.InferenceWorker.Llm.Templates;

// Lexing: text, {{ expr }}, {% stmt %}, {# comment #} with whitespace control.
internal sealed partial class JinjaTemplate
{
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
}
