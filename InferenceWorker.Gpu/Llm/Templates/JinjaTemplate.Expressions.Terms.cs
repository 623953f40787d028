using System.Globalization;

namespace BenchPlatform.InferenceWorker.Llm.Templates;

internal sealed partial class JinjaTemplate
{
    // Terms: literals, names, lists, dicts, calls and the postfix chain (.name, [index], [a:b], (args), | filter).
    private sealed partial class ExpressionParser
    {
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
    }
}
