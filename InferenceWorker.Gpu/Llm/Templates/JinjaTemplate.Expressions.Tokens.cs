namespace BenchPlatform.InferenceWorker.Llm.Templates;

internal sealed partial class JinjaTemplate
{
    // The expression's tokens: names, numbers, strings, operators.
    private sealed partial class ExpressionParser
    {
        private static List<string> Tokenize(string text)
        {
            var tokens = new List<string>();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c is '\'' or '"')
                {
                    var value = new System.Text.StringBuilder();
                    value.Append(c);
                    i++;
                    while (i < text.Length && text[i] != c)
                    {
                        if (text[i] == '\\' && i + 1 < text.Length)
                        {
                            i++;
                            value.Append(text[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var other => other });
                        }
                        else
                        {
                            value.Append(text[i]);
                        }

                        i++;
                    }

                    if (i >= text.Length)
                    {
                        throw new TemplateException("a string literal is never closed");
                    }

                    value.Append(c);
                    tokens.Add(value.ToString());
                    i++;
                }
                else if (char.IsDigit(c))
                {
                    var start = i;
                    while (i < text.Length && (char.IsDigit(text[i]) || (text[i] == '.' && i + 1 < text.Length && char.IsDigit(text[i + 1]))))
                    {
                        i++;
                    }

                    tokens.Add(text[start..i]);
                }
                else if (char.IsLetter(c) || c == '_')
                {
                    var start = i;
                    while (i < text.Length && IsName(text[i]))
                    {
                        i++;
                    }

                    tokens.Add(text[start..i]);
                }
                else
                {
                    var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
                    if (two is "==" or "!=" or "<=" or ">=" or "//" or "**")
                    {
                        tokens.Add(two);
                        i += 2;
                    }
                    else if ("+-*/%~<>()[]{}.,:|=".Contains(c, StringComparison.Ordinal))
                    {
                        tokens.Add(c.ToString());
                        i++;
                    }
                    else
                    {
                        throw new TemplateException($"unexpected character '{c}' in expression");
                    }
                }
            }

            return tokens;
        }
    }
}
