using System.Text;
using System.Text.Json.Nodes;
using BenchPlatform.Protocol.Tensors;

namespace BenchPlatform.EndToEnd.Tests.Fuzzing;

/// <summary>
/// A seeded, reproducible generator of malformed requests for every public endpoint of docs/api.md: JSON structure
/// mutations, type confusion, extreme numbers, deep nesting, long strings, bad UTF-8, wrong content types,
/// header and path abuse. The same seed gives the same cases.
/// </summary>
public sealed class RequestFuzzer(int seed)
{
    private const string Json = "application/json";

    private static readonly Endpoint[] Endpoints =
    [
        new("POST", "/v2/models/{model}/infer", """{"id":"a","inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"outputs":[{"name":"y"}],"parameters":{"cache":true}}"""),
        new("POST", "/v2/models/{model}/versions/1/infer", """{"inputs":[{"name":"x","shape":[1,64],"datatype":"FP32","data":[0.5]}]}"""),
        new("GET", "/v2/models/{model}", null),
        new("GET", "/v2/models/{model}/ready", null),
        new("GET", "/v2/health/ready", null),
        new("GET", "/v1/models", null),
        new("GET", "/v1/models/{model}", null),
        new("DELETE", "/v1/models/{missing}", null),
        new("POST", "/v1/models?name={missing}", "ONNX"),
        new("POST", "/v1/models/{model}/warmup", "{}"),
        new("POST", "/v1/completions", """{"model":"tiny-lm","prompt":"Once","max_tokens":2,"temperature":0.8,"top_p":0.95,"seed":42,"stop":["."],"n":1}"""),
        new("POST", "/v1/chat/completions", """{"model":"tiny-lm","messages":[{"role":"user","content":"hi"}],"max_tokens":2,"stream":true,"strategy":"best_of_n","n":2}"""),
        new("POST", "/v1/blocks/run", """{"language":"python","code":"def run(inputs):\n    return {\"y\": inputs[\"x\"] * 2}","entrypoint":"run","inputs":{"x":21},"limits":{"timeout_ms":2000,"memory_mb":256}}"""),
        new("POST", "/v1/blocks", """{"name":"fuzz-block","language":"python","code":"def run(inputs):\n    return inputs","entrypoint":"run"}"""),
        new("POST", "/v1/blocks/{block}/run", """{"inputs":{"x":1},"limits":{"timeout_ms":500}}"""),
        new("POST", "/v1/warmup", """{"models":["mlp"],"min_replicas":1}"""),
        new("GET", "/v1/scale", null),
        new("PUT", "/v1/scale/inference", """{"min":1,"max":1}"""),
    ];

    private static readonly string[] Mutations =
    [
        "truncate", "replace-value", "remove-property", "add-property", "deep-nesting", "bad-utf8", "long-string",
        "wrong-content-type", "header-abuse", "path-abuse", "random-bytes", "empty-body", "wrong-json-root", "wrong-method",
        "duplicate-keys", "json-comments",
    ];

    private static readonly string[] ExtremeNumbers =
    [
        "1e400", "-1e400", "-1", "0", "-0", "1e308", "4.9e-324", "9223372036854775808", "-9223372036854775809",
        "2147483648", "18446744073709551616", "0.5", "1.0e0", "123456789012345678901234567890",
    ];

    private static readonly string[] ContentTypes =
    [
        "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
        "application/json; charset=utf-16", "application/json; charset=nonsense", "application/octet-stream",
        "application/problem+json", "*/*", "json", "application/", ";;;", "application/json; boundary=\"",
    ];

    private readonly Random _random = new(seed);
    private (string Marker, string Raw)? _pendingRaw;

    /// <summary>The seed this generator was built with.</summary>
    public int Seed { get; } = seed;

    /// <summary>The next <paramref name="count"/> cases, every endpoint and mutation in turn, details at random.</summary>
    public IEnumerable<FuzzCase> Cases(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var endpoint = Endpoints[i % Endpoints.Length];
            var mutation = Mutations[(i / Endpoints.Length) % Mutations.Length];
            yield return Build(i, endpoint, mutation);
        }
    }

    private FuzzCase Build(int index, Endpoint endpoint, string mutation)
    {
        var method = endpoint.Method;
        var path = endpoint.Path
            .Replace("{model}", Pick("mlp", "linear", "types", "dynamic"), StringComparison.Ordinal)
            .Replace("{missing}", $"fuzz-missing-{_random.Next(1000)}", StringComparison.Ordinal)
            .Replace("{block}", Pick("fuzz-block", "no-such-block"), StringComparison.Ordinal);
        string? contentType = endpoint.Body is null ? null : endpoint.Body == "ONNX" ? "application/octet-stream" : Json;
        var headers = new List<KeyValuePair<string, string>>();
        var body = endpoint.Body switch
        {
            null => null,
            "ONNX" => OnnxLikeBytes(),
            _ => Encoding.UTF8.GetBytes(endpoint.Body),
        };
        var detail = mutation;

        switch (mutation)
        {
            case "truncate" when body is { Length: > 1 }:
                body = body[.._random.Next(1, body.Length)];
                break;
            case "replace-value" when IsJson(endpoint):
                (body, detail) = MutateTree(endpoint.Body!, ReplaceValue);
                break;
            case "remove-property" when IsJson(endpoint):
                (body, detail) = MutateTree(endpoint.Body!, RemoveProperty);
                break;
            case "add-property" when IsJson(endpoint):
                (body, detail) = MutateTree(endpoint.Body!, AddProperty);
                break;
            case "deep-nesting":
                var depth = Pick(64, 65, 200, 1000, 10_000, 100_000);
                var open = _random.Next(2) == 0 ? "[" : "{\"a\":";
                var close = open == "[" ? "]" : "}";
                body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)));
                contentType ??= Json;
                detail = $"deep-nesting {depth} {open}";
                break;
            case "bad-utf8" when body is not null:
                var quote = Array.IndexOf(body, (byte)'"', _random.Next(body.Length));
                var at = quote < 0 ? _random.Next(body.Length) : quote + 1;
                byte[][] bad = [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF], [0x00]];
                var bytes = bad[_random.Next(bad.Length)];
                body = [.. body[..at], .. bytes, .. body[at..]];
                detail = $"bad-utf8 {Convert.ToHexString(bytes)} at {at}";
                break;
            case "long-string" when IsJson(endpoint):
                var length = Pick(1_000, 70_000, 1_000_000, 17 * 1024 * 1024);
                (body, detail) = MutateTree(endpoint.Body!, (root, _) =>
                {
                    ReplaceRandom(root, JsonValue.Create(new string('x', length)));
                    return $"long-string {length}";
                });
                break;
            case "wrong-content-type":
                contentType = ContentTypes[_random.Next(ContentTypes.Length)];
                body ??= Encoding.UTF8.GetBytes("{}");
                detail = $"wrong-content-type {contentType}";
                break;
            case "header-abuse":
                detail = AbuseHeaders(headers);
                break;
            case "path-abuse":
                path = AbusePath(endpoint.Path, out detail);
                break;
            case "random-bytes":
                body = new byte[Pick(1, 17, 512, 65_536)];
                _random.NextBytes(body);
                contentType ??= Json;
                break;
            case "empty-body":
                body = [];
                contentType ??= Json;
                break;
            case "wrong-json-root":
                body = Encoding.UTF8.GetBytes(Pick("[]", "null", "1", "\"s\"", "true", "[{}]", "{}", "NaN", "Infinity"));
                contentType = Json;
                detail = $"wrong-json-root {Encoding.UTF8.GetString(body)}";
                break;
            case "wrong-method":
                method = Pick("PATCH", "PUT", "OPTIONS", "TRACE", "POST", "GET").Equals(method, StringComparison.Ordinal)
                    ? "PATCH" : Pick("PATCH", "PUT", "OPTIONS", "TRACE", "POST", "GET"); // never DELETE: it would remove the sample models
                detail = $"wrong-method {method}";
                break;
            case "duplicate-keys" when IsJson(endpoint) && endpoint.Body!.Contains(':', StringComparison.Ordinal):
                var text = endpoint.Body!;
                var close2 = text.LastIndexOf('}');
                var firstKey = text[1..text.IndexOf(':', StringComparison.Ordinal)];
                body = Encoding.UTF8.GetBytes(text[..close2] + "," + firstKey + ":" + Pick("1", "null", "[]", "\"dup\"") + "}");
                break;
            case "json-comments" when IsJson(endpoint) && endpoint.Body!.Contains(',', StringComparison.Ordinal):
                var json = endpoint.Body!;
                var position = json.IndexOf(',', StringComparison.Ordinal) + 1;
                body = Encoding.UTF8.GetBytes(json[..position] + Pick("/* c */", "// c\n", ",", "\u00a0") + json[position..]);
                break;
            default:
                // A mutation that does not fit this endpoint (e.g. truncating a GET): fuzz its query string instead.
                path += (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + Pick("cache=maybe", "name=", "x=%ZZ", "a[]=1&a[]=2", "%00=%00");
                detail = $"{mutation} → query";
                break;
        }

        return new FuzzCase(index, detail, new HttpMethod(method), path, body is null ? null : contentType, headers, body);
    }

    private static bool IsJson(Endpoint endpoint) => endpoint.Body is not null && endpoint.Body != "ONNX";

    private (byte[] Body, string Detail) MutateTree(string json, Func<JsonNode, Random, string> mutate)
    {
        var root = JsonNode.Parse(json)!;
        var detail = mutate(root, _random);
        var text = root.ToJsonString();
        if (_pendingRaw is { } pending)
        {
            // Numbers System.Text.Json cannot write (1e400, NaN) are spliced in as raw text after serializing.
            _pendingRaw = null;
            text = text.Replace($"\"{pending.Marker}\"", pending.Raw, StringComparison.Ordinal);
        }

        return (Encoding.UTF8.GetBytes(text), detail);
    }

    private string ReplaceValue(JsonNode root, Random random)
    {
        var choice = random.Next(8);
        JsonNode? replacement;
        string raw;
        switch (choice)
        {
            case 0:
                raw = ExtremeNumbers[random.Next(ExtremeNumbers.Length)];
                return RawToken(root, raw);
            case 1:
                raw = Pick("NaN", "Infinity", "-Infinity", "nan", "1e", "01", "+1", ".5", "0x10", "1_000");
                return RawToken(root, raw);
            case 2:
                replacement = null;
                break;
            case 3:
                replacement = JsonValue.Create(Pick("1", "true", "", "-1", "NaN", TensorDataTypes.Name(Pick(Enum.GetValues<TensorDataType>()))));
                break;
            case 4:
                replacement = new JsonObject();
                break;
            case 5:
                replacement = new JsonArray(JsonValue.Create(1), JsonValue.Create("a"), null);
                break;
            case 6:
                replacement = JsonValue.Create(random.Next(2) == 0);
                break;
            default:
                replacement = JsonValue.Create(-random.Next(1, int.MaxValue));
                break;
        }

        var where = ReplaceRandom(root, replacement);
        return $"replace-value {where} := {replacement?.ToJsonString() ?? "null"}";
    }

    private string RawToken(JsonNode root, string raw)
    {
        var marker = $"__raw_{_random.Next():x}";
        var where = ReplaceRandom(root, JsonValue.Create(marker));
        _pendingRaw = (marker, raw);
        return $"replace-value {where} := {raw}";
    }

    private string RemoveProperty(JsonNode root, Random random)
    {
        var objects = Descendants(root).OfType<JsonObject>().Where(o => o.Count > 0).ToList();
        if (objects.Count == 0)
        {
            return "remove-property (none)";
        }

        var target = objects[random.Next(objects.Count)];
        var name = target.ElementAt(random.Next(target.Count)).Key;
        target.Remove(name);
        return $"remove-property {name}";
    }

    private string AddProperty(JsonNode root, Random random)
    {
        var objects = Descendants(root).OfType<JsonObject>().ToList();
        var target = objects[random.Next(objects.Count)];
        var name = Pick("__proto__", "constructor", "inputs", "", "\u0000", "x\u202e", new string('k', 10_000), "$type");
        if (!target.ContainsKey(name))
        {
            target[name] = Pick<JsonNode?>(null, JsonValue.Create(1), new JsonArray(), JsonValue.Create("v"));
        }

        return $"add-property {name[..Math.Min(name.Length, 20)]}";
    }

    private string ReplaceRandom(JsonNode root, JsonNode? replacement)
    {
        var candidates = Descendants(root).Where(n => n.Parent is not null).ToList();
        if (candidates.Count == 0)
        {
            return "(root)";
        }

        var target = candidates[_random.Next(candidates.Count)];
        var where = target.GetPath();
        switch (target.Parent)
        {
            case JsonObject parent:
                parent[target.GetPropertyName()] = replacement;
                break;
            case JsonArray array:
                array[target.GetElementIndex()] = replacement;
                break;
        }

        return where;
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children)
        {
            if (child is not null)
            {
                foreach (var descendant in Descendants(child))
                {
                    yield return descendant;
                }
            }
        }
    }

    private string AbuseHeaders(List<KeyValuePair<string, string>> headers)
    {
        var choice = _random.Next(9);
        switch (choice)
        {
            case 0:
                headers.Add(new("X-Fuzz", new string('h', _random.Next(1_000, 7_000))));
                return "header-abuse long value";
            case 1:
                headers.Add(new("Authorization", Pick("Bearer", "Bearer ", "Basic Zm9vOmJhcg==", "bearer x", "Bearer " + new string('k', 4_000), "Token abc")));
                return "header-abuse authorization";
            case 2:
                headers.Add(new("Accept", Pick("text/html", "application/xml", "*/*;q=nonsense", "", "application/json;q=0")));
                return "header-abuse accept";
            case 3:
                headers.Add(new("Content-Encoding", Pick("gzip", "br", "deflate", "identity, gzip", "nonsense")));
                return "header-abuse content-encoding";
            case 4:
                headers.Add(new("X-Internal-Token", Pick("", "x", new string('t', 64))));
                return "header-abuse forged internal token";
            case 5:
                headers.Add(new("traceparent", Pick("00-zz-zz-01", "garbage", "00-00000000000000000000000000000000-0000000000000000-01")));
                headers.Add(new("tracestate", new string(',', 500)));
                return "header-abuse traceparent";
            case 6:
                headers.Add(new("Expect", "100-continue"));
                return "header-abuse expect";
            case 7:
                for (var i = 0; i < 50; i++)
                {
                    headers.Add(new($"X-Many-{i}", "v"));
                }

                return "header-abuse many headers";
            default:
                headers.Add(new("Content-Language", "%C3%A9\\xff"));
                headers.Add(new("Accept-Charset", "utf-7"));
                return "header-abuse odd values";
        }
    }

    private string AbusePath(string template, out string detail)
    {
        var name = Pick(
            "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..", "%00", new string('m', 5_000), "m%20l%20p", "%F0%9F%92%A9", "%FF%FE",
            "a%2Fb", "mlp%3Bdrop", "MLP", "-1", "%25", "mlp/", "' OR 1=1 --");
        detail = $"path-abuse {name[..Math.Min(name.Length, 40)]}";
        return template
            .Replace("{model}", name, StringComparison.Ordinal)
            .Replace("{missing}", name, StringComparison.Ordinal)
            .Replace("{block}", name, StringComparison.Ordinal)
            .Replace("/v1/models?name=", "/v1/models?name=" + name + "&", StringComparison.Ordinal)
            .Replace("/v2/health/ready", "/v2/health/" + name, StringComparison.Ordinal)
            .Replace("/v1/scale/inference", "/v1/scale/" + name, StringComparison.Ordinal);
    }

    private byte[] OnnxLikeBytes()
    {
        // Looks like a protobuf model header followed by garbage: ONNX Runtime must refuse it with a 400.
        var bytes = new byte[_random.Next(8, 4096)];
        _random.NextBytes(bytes);
        bytes[0] = 0x08;
        bytes[1] = 0x07;
        return bytes;
    }

    private T Pick<T>(params T[] values) => values[_random.Next(values.Length)];

    private sealed record Endpoint(string Method, string Path, string? Body);
}
