using BenchPlatform.LoadTests.Engine;
using HdrHistogram;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>Text-generation figures from a run's records: tokens/s, time to first token, time per output token, success.</summary>
internal static class TokenMetrics
{
    public static Dictionary<string, double> From(RunRecords run)
    {
        var ttft = new LongHistogram(1, 3_600_000_000, 3);
        var tpot = new LongHistogram(1, 3_600_000_000, 3);
        long tokens = 0, measured = 0, ok = 0;
        foreach (var record in run.Records)
        {
            if (record.Warmup)
            {
                continue;
            }

            measured++;
            if (record.Outcome != RequestOutcome.Ok)
            {
                continue;
            }

            ok++;
            tokens += record.Tokens;
            if (record.FirstTokenTicks > 0)
            {
                ttft.RecordValue(Math.Max(1, (long)(run.Ms(record.FirstTokenTicks - record.SentTicks) * 1000)));
                if (record.Tokens > 1)
                {
                    tpot.RecordValue(Math.Max(1, (long)(run.Ms(record.EndTicks - record.FirstTokenTicks) * 1000 / (record.Tokens - 1))));
                }
            }
        }

        var metrics = new Dictionary<string, double>
        {
            ["tokens_total"] = tokens,
            ["tokens_per_s"] = tokens / run.MeasuredSeconds,
            ["tokens_per_request"] = ok == 0 ? 0 : tokens / (double)ok,
            ["success_rate"] = measured == 0 ? 0 : ok / (double)measured,
        };
        if (ttft.TotalCount > 0)
        {
            metrics["ttft_p50_ms"] = ttft.GetValueAtPercentile(50) / 1000.0;
            metrics["ttft_p99_ms"] = ttft.GetValueAtPercentile(99) / 1000.0;
        }

        if (tpot.TotalCount > 0)
        {
            metrics["tpot_p50_ms"] = tpot.GetValueAtPercentile(50) / 1000.0;
            metrics["tpot_p99_ms"] = tpot.GetValueAtPercentile(99) / 1000.0;
        }

        return metrics;
    }
}
