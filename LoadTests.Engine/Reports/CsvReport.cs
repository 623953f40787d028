using System.Globalization;
using System.Text;
using BenchPlatform.LoadTests.Engine;
using BenchPlatform.LoadTests.Results;

namespace BenchPlatform.LoadTests.Reports;

/// <summary>Writes <c>requests.csv</c>: one row per request of every step, warm-up rows flagged.</summary>
public static class CsvReport
{
    public const string Header = "scenario,label,seq,time_utc,intended_ms,sent_ms,latency_ms,uncorrected_ms,first_byte_ms,class,status,outcome,warmup,gateway_ms,queue_ms,cold_ms,infer_ms,load_ms,cache,tokens,first_token_ms,trace_id";

    public static void Write(IReadOnlyList<RunSummary> runs, TextWriter writer)
    {
        writer.Write(Header);
        writer.Write('\n');
        var line = new StringBuilder(256);
        foreach (var run in runs)
        {
            if (run.Records is not { } records)
            {
                continue;
            }

            var scenario = Escape(run.Scenario);
            var label = Escape(run.Label);
            foreach (var record in records.Records)
            {
                line.Clear();
                var c = CultureInfo.InvariantCulture;
                line.Append(scenario).Append(',').Append(label).Append(',').Append(record.Sequence.ToString(c)).Append(',');
                line.Append(records.StartedAt.AddSeconds(record.IntendedTicks / (double)records.Frequency).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", c)).Append(',');
                line.Append(Ms(records, record.IntendedTicks)).Append(',');
                line.Append(Ms(records, record.SentTicks)).Append(',');
                line.Append(Ms(records, record.CorrectedTicks)).Append(',');
                line.Append(Ms(records, record.UncorrectedTicks)).Append(',');
                line.Append(record.FirstByteTicks == 0 ? "" : Ms(records, record.FirstByteTicks - record.SentTicks)).Append(',');
                line.Append(Summarizer.ClassName(record.Class)).Append(',');
                line.Append(record.Status.ToString(c)).Append(',');
                line.Append(record.Outcome switch { RequestOutcome.Ok => "ok", RequestOutcome.HttpError => "http_error", RequestOutcome.Timeout => "timeout", _ => "failed" }).Append(',');
                line.Append(record.Warmup ? '1' : '0').Append(',');
                line.Append(Phase(record.GatewayMs)).Append(',');
                line.Append(Phase(record.QueueMs)).Append(',');
                line.Append(Phase(record.ColdMs)).Append(',');
                line.Append(Phase(record.InferMs)).Append(',');
                line.Append(Phase(record.LoadMs)).Append(',');
                line.Append(record.Cache switch { CacheState.Hit => "hit", CacheState.Miss => "miss", _ => "" }).Append(',');
                line.Append(record.Tokens.ToString(c)).Append(',');
                line.Append(record.FirstTokenTicks == 0 ? "" : Ms(records, record.FirstTokenTicks - record.SentTicks)).Append(',');
                line.Append(record.TraceHigh == 0 && record.TraceLow == 0 ? "" : TraceParent.TraceId(record.TraceHigh, record.TraceLow));
                line.Append('\n');
                writer.Write(line);
            }
        }
    }

    private static string Ms(RunRecords records, long ticks) => records.Ms(ticks).ToString("0.###", CultureInfo.InvariantCulture);

    private static string Phase(float ms) => float.IsNaN(ms) ? "" : (ms == float.Epsilon ? 0 : ms).ToString("0.###", CultureInfo.InvariantCulture);

    private static string Escape(string value) =>
        value.AsSpan().IndexOfAny(",\"\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
