using System.Globalization;

namespace BenchPlatform.InferenceWorker.Llm.Templates;

internal sealed partial class JinjaTemplate
{
    // Parses one expression into a delegate. Precedence, low to high: inline if, or, and, not, comparisons/in/is,
    // ~, + -, * / // %, unary minus, postfix (.name, [index], [a:b], (args), | filter).
    private sealed class ExpressionParser
    {
        private readonly List<string> _tokens;
        private int _at;

        public ExpressionParser(string text) => _tokens = Tokenize(text);

        public Func<JinjaScope, object?> ParseAll()
        {
            var expression = Ternary();
            if (_at < _tokens.Count)
            {
                throw new TemplateException($"unexpected '{_tokens[_at]}' in expression");
            }

            return expression;
        }

        private string? Peek => _at < _tokens.Count ? _tokens[_at] : null;

        private bool Accept(string token)
        {
            if (Peek == token)
            {
                _at++;
                return true;
            }

            return false;
        }

        private void Expect(string token)
        {
            if (!Accept(token))
            {
                throw new TemplateException($"expected '{token}' but found '{Peek ?? "the end"}'");
            }
        }

        private Func<JinjaScope, object?> Ternary()
        {
            var value = Or();
            if (!Accept("if"))
            {
                return value;
            }

            var condition = Or();
            var otherwise = Accept("else") ? Ternary() : _ => JinjaUndefined.Value;
            return scope => Truthy(condition(scope)) ? value(scope) : otherwise(scope);
        }

        private Func<JinjaScope, object?> Or()
        {
            var left = And();
            while (Accept("or"))
            {
                var l = left;
                var right = And();
                left = scope => l(scope) is var a && Truthy(a) ? a : right(scope);
            }

            return left;
        }

        private Func<JinjaScope, object?> And()
        {
            var left = Not();
            while (Accept("and"))
            {
                var l = left;
                var right = Not();
                left = scope => l(scope) is var a && !Truthy(a) ? a : right(scope);
            }

            return left;
        }

        private Func<JinjaScope, object?> Not()
        {
            if (Accept("not"))
            {
                var operand = Not();
                return scope => !Truthy(operand(scope));
            }

            return Compare();
        }

        private Func<JinjaScope, object?> Compare()
        {
            var left = Concat();
            while (true)
            {
                var l = left;
                if (Peek is "==" or "!=" or "<" or ">" or "<=" or ">=")
                {
                    var op = _tokens[_at++];
                    var right = Concat();
                    left = scope => Relation(op, l(scope), right(scope));
                }
                else if (Peek == "in" || (Peek == "not" && _at + 1 < _tokens.Count && _tokens[_at + 1] == "in"))
                {
                    var negate = Accept("not");
                    Expect("in");
                    var right = Concat();
                    left = scope => Contains(right(scope), l(scope)) != negate;
                }
                else if (Accept("is"))
                {
                    var negate = Accept("not");
                    var test = Name();
                    Func<JinjaScope, object?>? argument = null;
                    if (Peek is not (null or ")" or "]" or "," or "and" or "or" or "else" or "if" or "}" or ":"))
                    {
                        argument = Accept("(") ? Ternary() : Primary();
                        Accept(")");
                    }

                    left = scope => Test(test, l(scope), argument?.Invoke(scope)) != negate;
                }
                else
                {
                    return left;
                }
            }
        }

        private Func<JinjaScope, object?> Concat()
        {
            var left = Additive();
            while (Accept("~"))
            {
                var l = left;
                var right = Additive();
                left = scope => Display(l(scope)) + Display(right(scope));
            }

            return left;
        }

        private Func<JinjaScope, object?> Additive()
        {
            var left = Multiplicative();
            while (Peek is "+" or "-")
            {
                var op = _tokens[_at++];
                var l = left;
                var right = Multiplicative();
                left = scope => Arithmetic(op, l(scope), right(scope));
            }

            return left;
        }

        private Func<JinjaScope, object?> Multiplicative()
        {
            var left = Unary();
            while (Peek is "*" or "/" or "//" or "%")
            {
                var op = _tokens[_at++];
                var l = left;
                var right = Unary();
                left = scope => Arithmetic(op, l(scope), right(scope));
            }

            return left;
        }

        private Func<JinjaScope, object?> Unary()
        {
            if (Accept("-"))
            {
                var operand = Unary();
                return scope => Arithmetic("-", 0L, operand(scope));
            }

            return Postfix(Primary());
        }

        private Func<JinjaScope, object?> Postfix(Func<JinjaScope, object?> target)
        {
            while (true)
            {
                var t = target;
                if (Accept("."))
                {
                    var name = Name();
                    if (Accept("("))
                    {
                        var arguments = Arguments();
                        target = scope => CallMethod(t(scope), name, [.. arguments.Select(a => a(scope))]);
                    }
                    else
                    {
                        target = scope => Member(t(scope), name);
                    }
                }
                else if (Accept("["))
                {
                    Func<JinjaScope, object?>? start = Peek == ":" ? null : Ternary();
                    if (Accept(":"))
                    {
                        var stop = Peek is ":" or "]" ? null : Ternary();
                        var step = Accept(":") && Peek != "]" ? Ternary() : null;
                        Expect("]");
                        target = scope => Slice(t(scope), start?.Invoke(scope), stop?.Invoke(scope), step?.Invoke(scope));
                    }
                    else
                    {
                        Expect("]");
                        target = scope => Index(t(scope), start!(scope));
                    }
                }
                else if (Accept("|"))
                {
                    var filter = Name();
                    var arguments = Accept("(") ? Arguments() : [];
                    target = scope => Filter(filter, t(scope), [.. arguments.Select(a => a(scope))]);
                }
                else
                {
                    return target;
                }
            }
        }

        // Arguments up to ')'; keyword arguments (name=value) are passed by value in order.
        private List<Func<JinjaScope, object?>> Arguments()
        {
            var arguments = new List<Func<JinjaScope, object?>>();
            while (!Accept(")"))
            {
                if (_at + 1 < _tokens.Count && _tokens[_at + 1] == "=" && IsIdentifier(Peek!))
                {
                    var key = _tokens[_at];
                    _at += 2;
                    var value = Ternary();
                    arguments.Add(scope => new KeyValuePair<string, object?>(key, value(scope)));
                }
                else
                {
                    arguments.Add(Ternary());
                }

                if (!Accept(","))
                {
                    Expect(")");
                    break;
                }
            }

            return arguments;
        }

        private Func<JinjaScope, object?> Primary()
        {
            var token = Peek ?? throw new TemplateException("an expression ends too early");
            _at++;
            if (token[0] is '\'' or '"')
            {
                var value = token[1..^1];
                return _ => value;
            }

            if (char.IsDigit(token[0]))
            {
                // Not a conditional expression: its type would be double for both branches.
                object number;
                if (token.Contains('.', StringComparison.Ordinal))
                {
                    number = double.Parse(token, CultureInfo.InvariantCulture);
                }
                else
                {
                    number = long.Parse(token, CultureInfo.InvariantCulture);
                }

                return _ => number;
            }

            switch (token)
            {
                case "(":
                    var inner = Ternary();
                    Expect(")");
                    return inner;
                case "[":
                    var items = new List<Func<JinjaScope, object?>>();
                    while (!Accept("]"))
                    {
                        items.Add(Ternary());
                        if (!Accept(","))
                        {
                            Expect("]");
                            break;
                        }
                    }

                    return scope => items.Select(i => i(scope)).ToList();
                case "{":
                    var entries = new List<(Func<JinjaScope, object?> Key, Func<JinjaScope, object?> Value)>();
                    while (!Accept("}"))
                    {
                        var key = Ternary();
                        Expect(":");
                        entries.Add((key, Ternary()));
                        if (!Accept(","))
                        {
                            Expect("}");
                            break;
                        }
                    }

                    return scope => entries.ToDictionary(e => Display(e.Key(scope)), e => e.Value(scope), StringComparer.Ordinal);
                case "true" or "True":
                    return _ => true;
                case "false" or "False":
                    return _ => false;
                case "none" or "None":
                    return _ => null;
            }

            if (!IsIdentifier(token))
            {
                throw new TemplateException($"unexpected '{token}' in expression");
            }

            if (Accept("("))
            {
                var arguments = Arguments();
                return scope => CallFunction(token, [.. arguments.Select(a => a(scope))]);
            }

            return scope => scope.Get(token);
        }

        private string Name()
        {
            var token = Peek;
            if (token is null || !IsIdentifier(token))
            {
                throw new TemplateException($"expected a name but found '{token ?? "the end"}'");
            }

            _at++;
            return token;
        }

        private static bool IsIdentifier(string token) => token.Length > 0 && (char.IsLetter(token[0]) || token[0] == '_');

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
