using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchPlatform.Gateway.Validation;

namespace BenchPlatform.Bench.GatewayValidation;

/// <summary>
/// The gateway's infer-body check on sample-MLP bodies (784 numbers a row) of 1 and 1000 rows: the JsonDocument rules
/// (the path every infer took first), the allocation-free Utf8JsonReader scan (numbers tokenized by the reader: the
/// same body with <c>datatype</c> after <c>data</c>, which keeps the scan off the fast path), and the scan as a client
/// body takes it now (<c>datatype</c> first: <see cref="NumberArrayScanner"/> skips the numbers).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class InferValidationBenchmarks
{
    private byte[] _body = [];
    private byte[] _dataFirst = [];

    [Params(1, 1000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        var data = new StringBuilder();
        for (var i = 0; i < Rows * 784; i++)
        {
            data.Append(i == 0 ? "" : ",").Append((random.NextDouble() * 2 - 1).ToString("0.####", CultureInfo.InvariantCulture));
        }

        _body = Encoding.UTF8.GetBytes(
            $"{{\"inputs\":[{{\"name\":\"x\",\"shape\":[{Rows},784],\"datatype\":\"FP32\",\"data\":[{data}]}}],\"parameters\":{{\"cache\":false}}}}");
        _dataFirst = Encoding.UTF8.GetBytes(
            $"{{\"inputs\":[{{\"name\":\"x\",\"shape\":[{Rows},784],\"data\":[{data}],\"datatype\":\"FP32\"}}],\"parameters\":{{\"cache\":false}}}}");
        if (!InferBodyScanner.IsCertainlyValid(_body) || !InferBodyScanner.IsCertainlyValid(_dataFirst) || !JsonDocumentRules())
        {
            throw new InvalidOperationException("The benchmark body must be valid for both paths.");
        }
    }

    [Benchmark(Baseline = true, Description = "JsonDocument + rules")]
    public bool JsonDocumentRules()
    {
        using var document = JsonDocument.Parse(_body.AsMemory());
        return JsonBodyRules.Check(BodyKind.Infer, document.RootElement) is null;
    }

    [Benchmark(Description = "Utf8JsonReader scan, numbers tokenized")]
    public bool ReaderScan() => InferBodyScanner.IsCertainlyValid(_dataFirst);

    [Benchmark(Description = "Utf8JsonReader scan, numbers skipped (now)")]
    public bool FastScan() => InferBodyScanner.IsCertainlyValid(_body);
}
