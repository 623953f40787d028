using System.Globalization;

namespace BenchPlatform.InferenceWorker.Llm.Templates;

internal sealed partial class JinjaTemplate
{
    private static object? Relation(string op, object? left, object? right)
    {
        if (op is "==" or "!=")
        {
            return Same(left, right) == (op == "==");
        }

        int order;
        if (IsNumber(left) && IsNumber(right))
        {
            order = ToDouble(left).CompareTo(ToDouble(right));
        }
        else if (left is string a && right is string b)
        {
            order = string.CompareOrdinal(a, b);
        }
        else
        {
            throw new TemplateException($"cannot compare {TypeName(left)} with {TypeName(right)}");
        }

        return op switch { "<" => order < 0, ">" => order > 0, "<=" => order <= 0, _ => order >= 0 };
    }

    private static bool Same(object? left, object? right)
    {
        if (IsNumber(left) && IsNumber(right))
        {
            return ToDouble(left) == ToDouble(right);
        }

        if (left is JinjaUndefined || right is JinjaUndefined)
        {
            return ReferenceEquals(left, right);
        }

        return Equals(left, right);
    }

    private static bool Contains(object? container, object? item) => container switch
    {
        string s => item is string sub && s.Contains(sub, StringComparison.Ordinal),
        IDictionary<string, object?> map => item is string key && map.ContainsKey(key),
        System.Collections.IEnumerable list => list.Cast<object?>().Any(x => Same(x, item)),
        null or JinjaUndefined => false,
        _ => throw new TemplateException($"'in' needs a string, list or mapping, not {TypeName(container)}"),
    };

    private static bool Test(string test, object? value, object? argument) => test switch
    {
        "defined" => value is not JinjaUndefined,
        "undefined" => value is JinjaUndefined,
        "none" => value is null,
        "string" => value is string,
        "number" => IsNumber(value),
        "integer" => value is long,
        "float" => value is double,
        "boolean" => value is bool,
        "true" => value is true,
        "false" => value is false,
        "mapping" => value is IDictionary<string, object?>,
        "iterable" => value is string or System.Collections.IEnumerable,
        "sequence" => value is string or System.Collections.IList,
        "equalto" or "eq" or "sameas" => Same(value, argument),
        "odd" => value is long l && l % 2 != 0,
        "even" => value is long e && e % 2 == 0,
        _ => throw new TemplateException($"the test 'is {test}' is not supported"),
    };

    private static object? Arithmetic(string op, object? left, object? right)
    {
        if (op == "+" && left is string a)
        {
            return right is string b ? a + b : throw new TemplateException($"cannot add {TypeName(right)} to a string (use ~ to join as text)");
        }

        if (op == "+" && left is System.Collections.IList x && right is System.Collections.IList y)
        {
            return x.Cast<object?>().Concat(y.Cast<object?>()).ToList();
        }

        if (op == "*" && left is string text && right is long times)
        {
            return string.Concat(Enumerable.Repeat(text, (int)Math.Max(0, times)));
        }

        if (!IsNumber(left) || !IsNumber(right))
        {
            throw new TemplateException($"cannot apply '{op}' to {TypeName(left)} and {TypeName(right)}");
        }

        if (left is long l && right is long r && op != "/")
        {
            return op switch
            {
                "+" => l + r,
                "-" => l - r,
                "*" => l * r,
                "//" => r == 0 ? throw new TemplateException("division by zero") : (long)Math.Floor((double)l / r),
                _ => r == 0 ? throw new TemplateException("division by zero") : ((l % r) + r) % r,
            };
        }

        var dl = ToDouble(left);
        var dr = ToDouble(right);
        return op switch
        {
            "+" => dl + dr,
            "-" => dl - dr,
            "*" => dl * dr,
            "/" => dl / dr,
            "//" => Math.Floor(dl / dr),
            _ => dl - dr * Math.Floor(dl / dr),
        };
    }

    private static object? Member(object? target, string name) => target switch
    {
        IDictionary<string, object?> map => map.TryGetValue(name, out var value) ? value : JinjaUndefined.Value,
        _ => JinjaUndefined.Value,
    };

    private static object? Index(object? target, object? index) => target switch
    {
        IDictionary<string, object?> map => index is string key && map.TryGetValue(key, out var value) ? value : JinjaUndefined.Value,
        System.Collections.IList list when index is long i => Position(i, list.Count) is var at && at >= 0 && at < list.Count ? list[at] : JinjaUndefined.Value,
        string s when index is long i => Position(i, s.Length) is var at && at >= 0 && at < s.Length ? s[at].ToString() : JinjaUndefined.Value,
        null or JinjaUndefined => throw new TemplateException($"cannot index {TypeName(target)} with {Display(index)}"),
        _ => JinjaUndefined.Value,
    };

    private static int Position(long index, int count) => (int)(index < 0 ? count + index : index);

    private static object? Slice(object? target, object? start, object? stop, object? step)
    {
        var items = target is string s ? [.. s.Select(c => (object?)c.ToString())] : Items(target);
        var by = step is long k ? (int)k : 1;
        if (by == 0)
        {
            throw new TemplateException("slice step cannot be zero");
        }

        var count = items.Count;
        int Clamp(object? value, int fallback) => value is long v ? Math.Clamp(Position(v, count), by > 0 ? 0 : -1, by > 0 ? count : count - 1) : fallback;
        var from = Clamp(start, by > 0 ? 0 : count - 1);
        var to = Clamp(stop, by > 0 ? count : -1);
        var result = new List<object?>();
        for (var i = from; by > 0 ? i < to : i > to; i += by)
        {
            result.Add(items[i]);
        }

        return target is string ? string.Concat(result.Select(Display)) : result;
    }

    private static object? CallMethod(object? target, string name, object?[] arguments)
    {
        if (target is string s)
        {
            var chars = arguments.Length > 0 && arguments[0] is string set ? set.ToCharArray() : null;
            return name switch
            {
                "strip" => chars is null ? s.Trim() : s.Trim(chars),
                "lstrip" => chars is null ? s.TrimStart() : s.TrimStart(chars),
                "rstrip" => chars is null ? s.TrimEnd() : s.TrimEnd(chars),
                "upper" => s.ToUpperInvariant(),
                "lower" => s.ToLowerInvariant(),
                "title" => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(s.ToLowerInvariant()),
                "capitalize" => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant(),
                "startswith" => arguments.Length > 0 && arguments[0] is string p && s.StartsWith(p, StringComparison.Ordinal),
                "endswith" => arguments.Length > 0 && arguments[0] is string e && s.EndsWith(e, StringComparison.Ordinal),
                "replace" when arguments is [string a, string b, ..] => s.Replace(a, b, StringComparison.Ordinal),
                "split" => (arguments.Length > 0 && arguments[0] is string separator
                    ? s.Split(separator)
                    : s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Select(x => (object?)x).ToList(),
                "format" => string.Format(CultureInfo.InvariantCulture, s.Replace("%s", "{0}", StringComparison.Ordinal), arguments.Select(Display).ToArray()),
                _ => throw new TemplateException($"the string method '{name}' is not supported"),
            };
        }

        if (target is IDictionary<string, object?> map)
        {
            return name switch
            {
                "get" => arguments.Length > 0 && arguments[0] is string key && map.TryGetValue(key, out var value) ? value : arguments.Length > 1 ? arguments[1] : null,
                "items" => map.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList(),
                "keys" => map.Keys.Select(k => (object?)k).ToList(),
                "values" => map.Values.ToList(),
                _ => throw new TemplateException($"the mapping method '{name}' is not supported"),
            };
        }

        throw new TemplateException($"{TypeName(target)} has no method '{name}'");
    }

    private static object? CallFunction(string name, object?[] arguments)
    {
        switch (name)
        {
            case "raise_exception":
                throw new TemplateException($"the template raised: {(arguments.Length > 0 ? Display(arguments[0]) : "an error")}");
            case "namespace":
                var ns = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var argument in arguments)
                {
                    if (argument is KeyValuePair<string, object?> pair)
                    {
                        ns[pair.Key] = pair.Value;
                    }
                }

                return ns;
            case "range":
                long from = 0, to, step = 1;
                if (arguments is [long only])
                {
                    to = only;
                }
                else if (arguments is [long a, long b, ..])
                {
                    (from, to) = (a, b);
                    step = arguments.Length > 2 && arguments[2] is long s ? s : 1;
                }
                else
                {
                    throw new TemplateException("range() needs integer arguments");
                }

                var result = new List<object?>();
                for (var i = from; step > 0 ? i < to : i > to; i += step)
                {
                    result.Add(i);
                }

                return result;
            case "strftime_now":
                return DateTime.UtcNow.ToString(arguments.Length > 0 ? ToNetFormat(Display(arguments[0])) : "yyyy-MM-dd", CultureInfo.InvariantCulture);
            default:
                throw new TemplateException($"the function '{name}' is not supported");
        }
    }

    private static string ToNetFormat(string python) => python
        .Replace("%Y", "yyyy", StringComparison.Ordinal).Replace("%m", "MM", StringComparison.Ordinal).Replace("%d", "dd", StringComparison.Ordinal)
        .Replace("%B", "MMMM", StringComparison.Ordinal).Replace("%b", "MMM", StringComparison.Ordinal);

    private static object? Filter(string name, object? value, object?[] arguments)
    {
        switch (name)
        {
            case "trim":
                return Display(value).Trim();
            case "length" or "count":
                return value switch
                {
                    string s => (long)s.Length,
                    System.Collections.ICollection c => (long)c.Count,
                    _ => (long)Items(value).Count,
                };
            case "upper":
                return Display(value).ToUpperInvariant();
            case "lower":
                return Display(value).ToLowerInvariant();
            case "capitalize":
                return CallMethod(Display(value), "capitalize", []);
            case "title":
                return CallMethod(Display(value), "title", []);
            case "string":
                return Display(value);
            case "int":
                return value switch
                {
                    long l => l,
                    double d => (long)d,
                    string s when long.TryParse(s, CultureInfo.InvariantCulture, out var parsed) => parsed,
                    _ => 0L,
                };
            case "float":
                return IsNumber(value) ? ToDouble(value) : double.TryParse(Display(value), CultureInfo.InvariantCulture, out var f) ? f : 0.0;
            case "first":
                return Items(value) is { Count: > 0 } firstItems ? firstItems[0] : JinjaUndefined.Value;
            case "last":
                return Items(value) is { Count: > 0 } lastItems ? lastItems[^1] : JinjaUndefined.Value;
            case "list":
                return Items(value);
            case "reverse":
                var reversed = Items(value);
                reversed.Reverse();
                return value is string ? string.Concat(reversed.Select(Display)) : reversed;
            case "join":
                var separator = arguments.Length > 0 ? Display(arguments[0]) : "";
                return string.Join(separator, Items(value).Select(Display));
            case "default" or "d":
                return value is JinjaUndefined || (arguments.Length > 1 && arguments[1] is true && !Truthy(value))
                    ? (arguments.Length > 0 ? arguments[0] : "")
                    : value;
            case "tojson":
                return ToJson(value);
            case "safe" or "e" or "escape":
                return value;
            case "items":
                return CallMethod(value, "items", []);
            case "selectattr" or "rejectattr":
                var attribute = arguments.Length > 0 ? Display(arguments[0]) : "";
                var test = arguments.Length > 1 ? Display(arguments[1]) : null;
                var expected = arguments.Length > 2 ? arguments[2] : null;
                var keep = name == "selectattr";
                return Items(value).Where(item =>
                {
                    var member = Member(item, attribute);
                    var passes = test is null ? Truthy(member) : Test(test, member, expected);
                    return passes == keep;
                }).ToList();
            case "map":
                if (arguments is [KeyValuePair<string, object?> { Key: "attribute" } mapped])
                {
                    return Items(value).Select(item => Member(item, Display(mapped.Value))).ToList();
                }

                throw new TemplateException("only map(attribute='…') is supported");
            default:
                throw new TemplateException($"the filter '{name}' is not supported");
        }
    }

    private static bool IsNumber(object? value) => value is long or double;

    private static double ToDouble(object? value) => value switch
    {
        long l => l,
        double d => d,
        _ => 0,
    };
}
