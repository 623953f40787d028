using System.Globalization;
using System.Text;

namespace BenchPlatform.Load.Tests.Support;

/// <summary>Request bodies for the stack's sample models and code blocks.</summary>
internal static class Bodies
{
    /// <summary>An infer body for <c>mlp</c> (<c>x</c> FP32 [1, 784]); <paramref name="cache"/> asks for the prediction cache.</summary>
    public static byte[] Mlp(bool cache, int seed = 1) => Infer("x", 784, cache, seed);

    /// <summary>An infer body for the melspectrogram (<c>input</c> FP32 [1, 1600]).</summary>
    public static byte[] Mel() => Infer("input", 1600, cache: false, seed: 1);

    /// <summary>A code block that doubles its input.</summary>
    public static byte[] Block(int x) => Encoding.UTF8.GetBytes(
        $$$"""{"language":"python","code":"def run(inputs):\n    return {\"y\": inputs[\"x\"] * 2}","entrypoint":"run","inputs":{"x":{{{x}}}},"limits":{"timeout_ms":5000,"memory_mb":256}}""");

    /// <summary>A streamed chat completion on the sample LM.</summary>
    public static byte[] Chat(long seed) => Encoding.UTF8.GetBytes(
        $$$"""{"model":"tiny-lm","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":16,"temperature":0.8,"seed":{{{seed}}},"stream":true}""");

    private static byte[] Infer(string input, int size, bool cache, int seed)
    {
        var json = new StringBuilder(size * 8);
        json.Append(CultureInfo.InvariantCulture, $$"""{"inputs":[{"name":"{{input}}","shape":[1,{{size}}],"datatype":"FP32","data":[""");
        for (var i = 0; i < size; i++)
        {
            json.Append(i == 0 ? "" : ",").Append(((((i * 7) + seed) % 100) / 100.0).ToString("0.00", CultureInfo.InvariantCulture));
        }

        json.Append(CultureInfo.InvariantCulture, $$$"""]}],"parameters":{"cache":{{{(cache ? "true" : "false")}}}}}""");
        return Encoding.UTF8.GetBytes(json.ToString());
    }
}
