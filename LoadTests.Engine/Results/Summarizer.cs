using BenchPlatform.LoadTests.Engine;
using HdrHistogram;

namespace BenchPlatform.LoadTests.Results;

/// <summary>Turns a run's records into histograms and a <see cref="RunSummary"/>; warm-up requests are left out.</summary>
public static class Summarizer
{
    private const long Highest = 3_600_000_000;

    /// <summary>The class names used in summaries and thresholds.</summary>
    public static string ClassName(RequestClass requestClass) => requestClass switch
    {
        RequestClass.Warm => "warm",
        RequestClass.Cold => "cold",
        RequestClass.CacheHit => "cache_hit",
        _ => "error",
    };

    public static RunSummary Summarize(string scenario, string label, RunRecords run, Dictionary<string, string>? parameters = null, Dictionary<string, double>? metrics = null, List<ScaleSample>? replicas = null)
    {
        var corrected = new Dictionary<string, LongHistogram>();
        var uncorrected = new Dictionary<string, LongHistogram>();
        var phases = new Dictionary<string, LongHistogram>();
        var lag = NewHistogram();
        var okLatency = NewHistogram();
        long sent = 0, ok = 0, httpErrors = 0, timeouts = 0, failed = 0;
        long completed = 0, completedOk = 0, refused = 0;
        var toMicros = 1_000_000.0 / run.Frequency;
        var windowStart = (long)(run.WarmupSeconds * run.Frequency);
        var windowEnd = CompletionWindowEnd(run, windowStart + (long)(run.MeasuredSeconds * run.Frequency));
        var windowSeconds = Math.Max((windowEnd - windowStart) / (double)run.Frequency, 1e-6);

        foreach (ref readonly var record in run.Records)
        {
            // What the server did in the measured window, whoever sent it: under overload the generator may still be
            // sending requests due in the warm-up when the measured window ends.
            if (record.EndTicks >= windowStart && record.EndTicks <= windowEnd)
            {
                completed++;
                if (record.Outcome == RequestOutcome.Ok)
                {
                    completedOk++;
                }
                else if (record.Status is 429 or 503)
                {
                    refused++;
                }
            }

            if (record.Warmup)
            {
                continue;
            }

            sent++;
            switch (record.Outcome)
            {
                case RequestOutcome.Ok: ok++; break;
                case RequestOutcome.HttpError: httpErrors++; break;
                case RequestOutcome.Timeout: timeouts++; break;
                default: failed++; break;
            }

            var correctedMicros = Clamp(record.CorrectedTicks * toMicros);
            var uncorrectedMicros = Clamp(record.UncorrectedTicks * toMicros);
            Record(corrected, "all", correctedMicros);
            Record(uncorrected, "all", uncorrectedMicros);
            var name = ClassName(record.Class);
            Record(corrected, name, correctedMicros);
            Record(uncorrected, name, uncorrectedMicros);
            lag.RecordValue(Clamp(record.LagTicks * toMicros));
            if (record.Outcome == RequestOutcome.Ok)
            {
                okLatency.RecordValue(correctedMicros);
            }

            RecordPhase(phases, "gateway", record.GatewayMs);
            RecordPhase(phases, "queue", record.QueueMs);
            RecordPhase(phases, "cold", record.ColdMs);
            RecordPhase(phases, "infer", record.InferMs);
            RecordPhase(phases, "load", record.LoadMs);
        }

        var classes = new Dictionary<string, ClassSummary>();
        foreach (var (name, histogram) in corrected)
        {
            classes[name] = new ClassSummary
            {
                Corrected = LatencyStats.FromMicros(histogram),
                Uncorrected = LatencyStats.FromMicros(uncorrected[name]),
                Histogram = histogram,
                UncorrectedHistogram = uncorrected[name],
            };
        }

        var phaseStats = new Dictionary<string, LatencyStats>();
        foreach (var (name, histogram) in phases)
        {
            phaseStats[name] = LatencyStats.FromMicros(histogram);
        }

        return new RunSummary
        {
            Scenario = scenario,
            Label = label,
            Model = run.Model,
            Parameters = parameters ?? [],
            TargetRate = run.TargetRate,
            AchievedRate = sent / Math.Max(run.MeasuredSeconds, 1e-6),
            Completed = completed,
            CompletedRate = completed / windowSeconds,
            Goodput = completedOk / windowSeconds,
            Refused = refused,
            OkLatency = LatencyStats.FromMicros(okLatency),
            MeasuredSeconds = run.MeasuredSeconds,
            Concurrency = run.Concurrency,
            Sent = sent,
            Ok = ok,
            HttpErrors = httpErrors,
            Timeouts = timeouts,
            Failed = failed,
            Due = run.Due,
            Dropped = run.Dropped,
            Late = run.Late,
            Lag = run.Model is "open" or "mixed" ? LatencyStats.FromMicros(lag) : LatencyStats.Empty,
            Classes = classes,
            Phases = phaseStats,
            Metrics = metrics ?? [],
            Replicas = replicas ?? [],
            Records = run,
        };
    }

    /// <summary>
    /// Where the window of what the target did ends: the measured window's end, or, when the generator sent measured
    /// requests after it (late, e.g. a cold client or a stalled server), the end of the last measured request, so that
    /// the answers to the requests that window asked for count for it instead of being in no count at all.
    /// </summary>
    private static long CompletionWindowEnd(RunRecords run, long windowEnd)
    {
        long lastEnd = 0;
        var sentAfter = false;
        foreach (ref readonly var record in run.Records)
        {
            if (!record.Warmup)
            {
                sentAfter |= record.SentTicks > windowEnd;
                lastEnd = Math.Max(lastEnd, record.EndTicks);
            }
        }

        return sentAfter ? Math.Max(windowEnd, lastEnd) : windowEnd;
    }

    private static LongHistogram NewHistogram() => new(1, Highest, 3);

    private static long Clamp(double micros) => (long)Math.Clamp(micros, 1, Highest);

    private static void Record(Dictionary<string, LongHistogram> histograms, string name, long micros)
    {
        if (!histograms.TryGetValue(name, out var histogram))
        {
            histograms[name] = histogram = NewHistogram();
        }

        histogram.RecordValue(micros);
    }

    private static void RecordPhase(Dictionary<string, LongHistogram> histograms, string name, float ms)
    {
        if (!float.IsNaN(ms))
        {
            Record(histograms, name, Clamp(ms * 1000.0));
        }
    }
}
