using System.Globalization;
using System.Text.Json;
using BenchPlatform.LoadTests.Cli;

namespace BenchPlatform.LoadTests.Reports;

/// <summary>
/// <c>compare A.json B.json</c>: for every step and class present in both summaries, flags a regression when B's mean, p50
/// or p99 grew by more than the tolerance (and by more than the minimum delta), its error rate grew by more than one point,
/// or (closed model) its achieved rate fell by more than the tolerance.
/// </summary>
public static class SummaryComparison
{
    private static readonly string[] Metrics = ["mean", "p50", "p99"];

    /// <summary>Writes the comparison table and returns the number of regressions.</summary>
    public static int Compare(string baselinePath, string candidatePath, double tolerance, TimeSpan minDelta, TextWriter output)
    {
        var baseline = Load(baselinePath);
        var candidate = Load(candidatePath);
        var regressions = 0;
        var compared = 0;
        output.WriteLine($"compare {baselinePath} → {candidatePath} (tolerance {tolerance * 100:0.#}%, min delta {minDelta.TotalMilliseconds:0.###} ms)");
        output.WriteLine("| step | class | metric | baseline | candidate | change | verdict |");
        output.WriteLine("| --- | --- | --- | ---: | ---: | ---: | --- |");
        foreach (var (key, run) in candidate)
        {
            if (!baseline.TryGetValue(key, out var before))
            {
                output.WriteLine($"| {key} | | | | | | new step |");
                continue;
            }

            foreach (var cls in run.GetProperty("classes").EnumerateObject())
            {
                if (!before.GetProperty("classes").TryGetProperty(cls.Name, out var beforeClass))
                {
                    continue;
                }

                foreach (var metric in Metrics)
                {
                    var a = Number(beforeClass.GetProperty("corrected").GetProperty(metric));
                    var b = Number(cls.Value.GetProperty("corrected").GetProperty(metric));
                    var regressed = b > a * (1 + tolerance) && b - a > minDelta.TotalMilliseconds;
                    compared++;
                    regressions += regressed ? 1 : 0;
                    output.WriteLine($"| {key} | {cls.Name} | {metric} ms | {Units.Ms(a)} | {Units.Ms(b)} | {Change(a, b)} | {(regressed ? "REGRESSION" : "ok")} |");
                }
            }

            var errorsBefore = Number(before.GetProperty("error_rate"));
            var errorsAfter = Number(run.GetProperty("error_rate"));
            var errorsRegressed = errorsAfter > errorsBefore + 0.01;
            regressions += errorsRegressed ? 1 : 0;
            output.WriteLine($"| {key} | | error_rate | {errorsBefore.ToString("0.####", CultureInfo.InvariantCulture)} | {errorsAfter.ToString("0.####", CultureInfo.InvariantCulture)} | | {(errorsRegressed ? "REGRESSION" : "ok")} |");
            if (run.GetProperty("model").GetString() == "closed")
            {
                var rateBefore = Number(before.GetProperty("achieved_rate"));
                var rateAfter = Number(run.GetProperty("achieved_rate"));
                var slower = rateAfter < rateBefore * (1 - tolerance);
                regressions += slower ? 1 : 0;
                output.WriteLine($"| {key} | | req/s | {rateBefore.ToString("0.#", CultureInfo.InvariantCulture)} | {rateAfter.ToString("0.#", CultureInfo.InvariantCulture)} | {Change(rateBefore, rateAfter)} | {(slower ? "REGRESSION" : "ok")} |");
            }
        }

        output.WriteLine(regressions == 0 ? $"no regression ({compared} latency figures compared)" : $"{regressions} regression(s)");
        return regressions;
    }

    private static string Change(double a, double b) => a == 0 ? "" : ((b - a) / a * 100).ToString("+0.#;-0.#;0", CultureInfo.InvariantCulture) + "%";

    private static Dictionary<string, JsonElement> Load(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new UsageException($"compare: '{path}' is not JSON ({ex.Message}); give a summary.json written by --report.");
        }

        if (!document.RootElement.TryGetProperty("runs", out var runs) || runs.ValueKind != JsonValueKind.Array)
        {
            throw new UsageException($"compare: '{path}' has no 'runs' array; give a summary.json written by --report.");
        }

        var result = new Dictionary<string, JsonElement>();
        foreach (var run in runs.EnumerateArray())
        {
            result[$"{run.GetProperty("scenario").GetString()}/{run.GetProperty("label").GetString()}"] = run;
        }

        return result;
    }

    /// <summary>A number from summary.json; null (a value that was not finite) reads as NaN, which no comparison flags.</summary>
    private static double Number(JsonElement value) => value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.NaN;
}
