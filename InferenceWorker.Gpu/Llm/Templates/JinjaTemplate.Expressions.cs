namespace BenchPlatform.InferenceWorker.Llm.Templates;

internal sealed partial class JinjaTemplate
{
    // Parses one expression into a delegate. Precedence, low to high: inline if, or, and, not, comparisons/in/is,
    // ~, + -, * / // %, unary minus, postfix (.name, [index], [a:b], (args), | filter).
    private sealed partial class ExpressionParser
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
    }
}
