using System.Globalization;
using System.Text;
using System.Text.Json;

namespace BenchPlatform.InferenceWorker.Llm.Templates;

// Values: truthiness, display, iteration, type names and JSON (tojson) of template values.
internal sealed partial class JinjaTemplate
{
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
