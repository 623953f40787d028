using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchPlatform.Gateway.Validation;

namespace BenchPlatform.Bench.GatewayValidation;

/// <summary>
/// The gateway's infer-body check: the JsonDocument rules (the path every infer took before) against the
/// allocation-free Utf8JsonReader scan (the path a valid infer takes now), on sample-MLP bodies of 1 and 100 rows.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class InferValidationBenchmarks
{
    private byte[] _body = [];

    [Params(1, 100)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        var data = new StringBuilder();
        for (var i = 0; i < Rows * 64; i++)
        {
            data.Append(i == 0 ? "" : ",").Append((random.NextDouble() * 2 - 1).ToString("0.####", CultureInfo.InvariantCulture));
        }

        _body = Encoding.UTF8.GetBytes(
            $"{{\"inputs\":[{{\"name\":\"x\",\"shape\":[{Rows},64],\"datatype\":\"FP32\",\"data\":[{data}]}}],\"parameters\":{{\"cache\":false}}}}");
        if (!InferBodyScanner.IsCertainlyValid(_body) || !JsonDocumentRules())
        {
            throw new InvalidOperationException("The benchmark body must be valid for both paths.");
        }
    }

    [Benchmark(Baseline = true, Description = "JsonDocument + rules (before)")]
    public bool JsonDocumentRules()
    {
        using var document = JsonDocument.Parse(_body.AsMemory());
        return JsonBodyRules.Check(BodyKind.Infer, document.RootElement) is null;
    }

    [Benchmark(Description = "Utf8JsonReader scan (after)")]
    public bool ReaderScan() => InferBodyScanner.IsCertainlyValid(_body);
}
